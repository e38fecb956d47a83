# Owner side of repairs and complaints: the two forms (form-, repair-, complaint-) and
# "My requests" (myreq-).

## Shared form steps

form-unit = { $building }-{ $number }
form-stale = This button is no longer active.
form-use-buttons = Please choose one of the buttons below.
form-text-expected = Please answer with a text message.
form-description-too-short = That is a bit short: please describe it in at least { $count } characters.
form-description-too-long = That is too long ({ $length } characters): please keep it within { $limit } characters.
form-description-photo-kept = Photo saved. Now please describe the problem in words.
form-ask-photos = Photos help us a lot. Send up to { $limit } photos now, or press Skip.
form-ask-more-photos = { $count ->
    [one] 1 photo attached. Send more (up to { $limit }), or press Done.
   *[other] { $count } photos attached. Send more (up to { $limit }), or press Done.
}
form-photo-added = Photo { $count } of { $limit } added. Send another, or press Done.
form-photo-added-last = Photo { $count } of { $limit } added — that is the most we can take. Press Done to continue.
form-photos-full = You have already attached { $limit } photos, the most we can take. Press Done to continue.
form-photos-expected = Please send a photo, or press the button to continue.
form-btn-done = ✅ Done
form-btn-skip = ⏭ Skip
form-ask-phone = Which phone number should our staff call? Type a number.
form-btn-my-phone = 📱 Use my number { $phone }
form-phone-invalid = That does not look like a valid phone number. Please type it again, e.g. 13800138000 or +44 7700 900461.
form-visit-asap = As soon as possible
form-visit-any = Any time
form-visit-at = { $label } ({ $window })
form-sum-place = 📍 Place: { $place }
form-sum-category = 🏷 Category: { $category }
form-sum-description = 📝 { $description }
form-sum-photos = { $count ->
    [0] 📷 No photos
    [one] 📷 1 photo
   *[other] 📷 { $count } photos
}
form-sum-urgency = ⚡ Urgency: { $urgency }
form-sum-visit = 🕒 Visit: { $visit }
form-sum-phone = ☎ Contact phone: { $phone }
form-sum-call-yes = ☎ You would like a call back.
form-sum-call-no = ✉ A written reply is enough.
form-sum-check = Is everything correct?
form-btn-confirm = ✅ Confirm and send
form-btn-edit = ✏ Edit
form-btn-cancel = ✖ Cancel
form-ask-edit = What would you like to change?
form-field-where = Place
form-field-category = Category
form-field-description = Description
form-field-photos = Photos (send again)
form-field-urgency = Urgency
form-field-visit = Visit time
form-field-phone = Contact phone
form-field-call = Call back
form-btn-back = ⬅ Back to the summary
form-cancelled = Cancelled. Nothing was sent.
form-refused = Sorry, we could not register this request. Please check your details and try again, or contact the management office.

## Report a repair

repair-ask-where = Where is the problem?
repair-btn-common = 🏢 Common area
repair-btn-common-instead = 🏢 Not in my flat: a common area
repair-ask-building = Which building is it in? (e.g. 3, or "car park")
repair-building-invalid = Please type the building in at most { $limit } characters.
repair-ask-place = Where exactly in building { $building }? (e.g. lobby, 2nd floor corridor, lift B)
repair-place-invalid = Please describe the place in { $min } to { $max } characters.
repair-location = { $building } · { $place }
repair-ask-category = 📍 { $place }
    What kind of problem is it?
repair-ask-description = What is wrong? Describe it in a few words (at least 5 characters). You can also send a photo with a caption.
repair-ask-urgency = How urgent is it?
repair-btn-normal = 🙂 Normal
repair-btn-urgent = 🚨 Urgent: leak, no power, someone stuck in a lift, gas smell
repair-emergency-phone = 🚨 If anyone is in danger, or you smell gas, call our emergency line now: { $phone }
repair-ask-visit = When would a visit suit you?
repair-visit-today-am = Today morning
repair-visit-today-pm = Today afternoon
repair-visit-tomorrow-am = Tomorrow morning
repair-visit-tomorrow-pm = Tomorrow afternoon
repair-visit-any = Any time
repair-summary-title = <b>🛠 Your repair request</b>
repair-created = ✅ Your repair request <b>#{ $number }</b> is registered.
    We will get back to you by { $deadline }. You can follow it under "My requests".
repair-created-urgent = 🚨 Your urgent repair request <b>#{ $number }</b> is registered.
    We will get back to you by { $deadline }.
    If anyone is in danger, or you smell gas, call our emergency line now: { $phone }

## Make a complaint

complaint-ask-category = What is your complaint about?
complaint-ask-description = What happened? Please tell us (at least 5 characters). You can also send a photo with a caption.
complaint-ask-call = Would you like us to call you about it?
complaint-btn-call-yes = 📞 Yes, please call me
complaint-btn-call-no = ✉ No, a written reply is fine
complaint-summary-title = <b>📣 Your complaint</b>
complaint-created = ✅ Your complaint <b>#{ $number }</b> is registered.
    { $count ->
        [one] We will reply within 1 hour, by { $deadline }.
       *[other] We will reply within { $count } hours, by { $deadline }.
    }

## My requests

myreq-empty = You have no requests yet. Use the menu to report a repair or make a complaint.
myreq-list-title = <b>📋 Your requests</b>
myreq-btn-open = #{ $number } · { $status }
myreq-detail = <b>#{ $number }</b> · { $kind } · { $category }
    Status: <b>{ $status }</b>
    📍 { $place }
    🕒 Reported { $created }
    📝 { $description }
myreq-photos = { $count ->
    [one] 📷 1 photo
   *[other] 📷 { $count } photos
}
myreq-scheduled = 📅 Visit planned for { $day }
myreq-history-title = <b>History</b>
myreq-history-line = { $at } · { $what }
myreq-ev-created = Request received
myreq-ev-assigned = Taken on by our staff
myreq-ev-started = Work order sent to a technician
myreq-ev-resolved = Marked as done
myreq-ev-resolved-note = Marked as done: { $text }
myreq-ev-closed = Closed
myreq-ev-reopened = Reopened
myreq-ev-cancelled = Cancelled
myreq-ev-rated = You rated it { $stars }
myreq-ev-rating-comment = Your comment on the rating: { $text }
myreq-ev-comment = You wrote: { $text }
myreq-ev-photo = You sent a photo
myreq-ev-reply = Staff replied: { $text }
myreq-ev-reply-photo = Staff sent a photo
myreq-ev-rescheduled = Visit moved to { $day }
myreq-btn-comment = 💬 Add comment
myreq-btn-photo = 📷 Add photo
myreq-btn-cancel = ✖ Cancel this request
myreq-btn-list = ⬅ My requests
myreq-ticket-usage = Send the request number, e.g. /ticket 12
myreq-not-found = No such request among yours. Open "My requests" to see them.
myreq-ask-comment = Type your comment for #{ $number } (or send a photo).
myreq-ask-photo = Send a photo for #{ $number } (you can add a caption).
myreq-comment-expected = Please send a text or a photo.
myreq-comment-too-long = That is too long: please keep it within { $limit } characters.
myreq-comment-added = ✅ Added to #{ $number }. Our staff will see it.
myreq-cancel-confirm = Cancel request #{ $number }? This cannot be undone.
myreq-btn-cancel-yes = Yes, cancel it
myreq-btn-cancel-no = No, keep it
myreq-cancelled = Request #{ $number } is cancelled.
myreq-fixed-rate = Thank you for confirming! #{ $number } is closed. How would you rate our service?
myreq-not-fixed = Sorry about that. #{ $number } is reopened and our staff have been alerted. What is still wrong?
myreq-ask-rating-comment = Thank you for the { $stars } — your rating is saved! Anything you would like to add? Type a comment, or press Skip.
myreq-btn-skip = ⏭ Skip
myreq-rated = Thank you for your feedback!
myreq-rating-comment-expected = Please type your comment, or press Skip.
