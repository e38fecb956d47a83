## Tickets: kinds, places, categories, statuses, refusals (shared by staff and owner sides)

ticket-kind-repair = Repair
ticket-kind-complaint = Complaint
ticket-place-unit = Building { $building }, unit { $unit }
ticket-place-common = Common area: { $location }
ticket-owner-line = { $icon } #{ $number } · { $category } · { $status } · { $updated }

ticket-error-not-found = Ticket #{ $number } was not found.
ticket-error-bad-transition = #{ $number } is { $status } — that step is not possible now.
ticket-error-invalid-date = #{ $number }: the new visit day must be today or later (YYYY-MM-DD).
ticket-error-bad-transition-resolve-first = #{ $number } is { $status } — resolve it first (/resolve { $number }), then close it.
ticket-error-taken = #{ $number } has already been taken by { $name } — see the card. Use Assign to hand it over.
ticket-error-forbidden = You may not do that with #{ $number }.
ticket-error-invalid-technician = #{ $number } is not with a technician, and only a technician gets a work order: pick who goes (Dispatch on the card, or /dispatch { $number } @technician).
ticket-error-not-assignee = #{ $number } is not assigned to you.
ticket-error-invalid = That input is not valid for #{ $number }.
ticket-error-already-rated = #{ $number } has already been rated. Thank you!
ticket-error-not-complaint = #{ $number } is not a complaint; only complaints are graded.
ticket-error-not-rated = #{ $number } has not been rated yet — please pick the stars first.
ticket-error-already-commented = Your comment on the rating of #{ $number } is already saved. Thank you!

category-plumbing = Plumbing
category-electrical = Electrical
category-doors-windows = Doors & windows
category-lift = Lift
category-walls-ceiling = Walls & ceiling
category-common-appliances = Appliances in common areas
category-other = Other
category-attitude = Service attitude
category-cleanliness = Cleanliness
category-security = Security
category-noise = Noise / neighbours
category-parking = Parking
category-fees = Fees

status-new = new
status-assigned = assigned
status-in-progress = in progress
status-resolved = resolved
status-closed = closed
status-reopened = reopened
status-cancelled = cancelled

urgency-normal = normal
urgency-urgent = urgent

grade-a = A (serious)
grade-b = B

event-created = created
event-assigned = assigned
event-started = work order sent
event-resolved = resolved
event-closed = closed
event-reopened = reopened
event-cancelled = cancelled
event-rated = rated
event-comment = owner comment
event-note = internal note
event-reply = reply to owner
event-graded = graded
event-rescheduled = visit rescheduled
event-called = owner's phone shown
event-rating-comment = rating comment
event-by-owner = owner
event-by-system = system

## The staff card

card-head = { $icon } <b>#{ $number }</b> · { $kind }
card-urgent = 🔴 <b>URGENT</b>
card-overdue = ⚠️ <b>OVERDUE</b>
card-nobody = nobody
card-status = Status: <b>{ $status }</b> · Assignee: { $assignee }
card-place = 📍 { $place }
card-category = Category: { $category }
card-urgency = Urgency: { $urgency }
card-grade = Grade: { $grade }
card-description = <blockquote>{ $text }</blockquote>
card-photos = 📷 { $count ->
    [one] { $count } photo
   *[other] { $count } photos
}
card-preferred = Preferred time: { $time }
card-scheduled = 📅 Visit planned: { $day }
card-owner = 👤 { $name } · { $phone }
card-wants-call = 📞 The owner wants a call.
card-sla = ⏱ Respond by { $at }
card-responded = ✅ First response { $at }
card-rating = Rating: { $stars } { $comment }
card-last = <i>Last: { $at } { $event } ({ $by })</i>
card-btn-take = ✋ Take
card-btn-assign = 👥 Assign
card-btn-dispatch = 🚚 Dispatch
card-btn-resolve = ✅ Resolve
card-btn-close = 🔒 Close
card-btn-reopen = 🔁 Reopen
card-btn-call = 📞 Call owner
card-btn-back = « Back
card-btn-done = ✅ Done
card-assign-to = { $name } ({ $role })
card-order-head = 🚚 <b>Work order #{ $number }</b> · { $kind }
card-order-reopened = 🔁 Reopened: { $reason }
card-order-comment = 💬 Owner added: { $text }
card-order-not-fixed = 🔁 Reopened: the owner says it is not fixed.
card-order-done = When the job is done, press Done or send /done { $number } and what you did.

## Messages caused by ticket events

notify-owner-comment = 💬 <b>#{ $number }</b> owner comment:
    { $text }
notify-owner-photo = 📷 <b>#{ $number }</b> owner photo
notify-reopened = 🔁 <b>#{ $number }</b> was reopened: { $reason }
notify-reopened-owner = 🔁 <b>#{ $number }</b> — the owner says it is NOT fixed: { $reason }
notify-reopened-no-reason = 🔁 <b>#{ $number }</b> was reopened.
notify-reopened-owner-no-reason = 🔁 <b>#{ $number }</b> — the owner says it is NOT fixed. They are asked what is still wrong; the answer will appear under this card.
notify-reply = 💬 <b>#{ $number }</b> — message from the service desk:
    { $text }

    <i>Reply to this message to answer.</i>
notify-reply-photo = 📷 <b>#{ $number }</b> — photo from the service desk.
notify-resolved = ✅ Your request <b>#{ $number }</b> has been marked as done. Is it fixed?
notify-resolved-note = ✅ Your request <b>#{ $number }</b> has been marked as done: { $text }
    Is it fixed?
notify-btn-fixed = 👍 Yes, fixed
notify-btn-not-fixed = 👎 No, not fixed
notify-handled = ✅ Your complaint <b>#{ $number }</b> has been dealt with. Is the matter resolved for you?
notify-handled-note = ✅ Your complaint <b>#{ $number }</b> has been dealt with: { $text }
    Is the matter resolved for you?
notify-btn-handled = 👍 Yes, resolved
notify-btn-not-handled = 👎 No, not resolved
notify-rescheduled-tech = 📅 <b>#{ $number }</b>: the visit is now planned for { $day }.
notify-rescheduled = 📅 Request <b>#{ $number }</b>: the visit is now planned for { $day }.
notify-rate = 🔒 Request <b>#{ $number }</b> is closed. How satisfied are you? Tap the stars.
notify-cancelled = ✖️ Request <b>#{ $number }</b> was cancelled by the service desk: { $reason }

## Staff commands in the group

staffcmd-help = <b>Requests</b>
    /queue — open requests, overdue first
    /ticket N — one request with its history
    /assign N @user|me — assign (or press Take / Assign on the card)
    /dispatch N [@user|me] — send the work order to the technician (the assignee, or the one named)
    /note N text — internal note (never shown to the owner)
    /reply N text — message to the owner
    /resolve N [text] — mark resolved (the owner is asked to confirm)
    /close N — close · /reopen N [reason] — reopen
    /grade N A|B — grade a complaint
    /reschedule N YYYY-MM-DD — new visit day (the owner is told)
    Reply to a card to answer the owner; start with ! for an internal note.
    Technicians: /done N [what you did] in the private chat, or press Done.
staffcmd-usage-ticket = Usage: /ticket N
staffcmd-usage-assign = Usage: /assign N @username (or /assign N me)
staffcmd-usage-dispatch = Usage: /dispatch N (or /dispatch N @technician)
staffcmd-usage-note = Usage: /note N text
staffcmd-usage-reply = Usage: /reply N text
staffcmd-usage-resolve = Usage: /resolve N [what was done]
staffcmd-usage-done = Usage: /done N [what you did]
staffcmd-usage-close = Usage: /close N
staffcmd-usage-reopen = Usage: /reopen N [reason]
staffcmd-usage-grade = Usage: /grade N A|B
    { grade-a-meaning }
    { grade-b-meaning }
staffcmd-usage-reschedule = Usage: /reschedule N YYYY-MM-DD
staffcmd-no-such-staff = No active staff member { $who }. Use @username as set with /staff, or "me".
staffcmd-queue-empty = No open requests. 🎉
staffcmd-queue-head = <b>Open requests: { $count }</b> (overdue: { $overdue })
staffcmd-queue-line = { $flag }{ $icon } <b>#{ $number }</b> { $category } · { $status } · { $place } · { $assignee } · { $age }
staffcmd-queue-more = … and { $count } more.
staffcmd-age-minutes = { $count } min
staffcmd-age-hours = { $count } h
staffcmd-age-days = { $count ->
    [one] { $count } day
   *[other] { $count } days
}
staffcmd-history = <b>History</b>
staffcmd-history-to = → { $name }
staffcmd-history-line = { $at } { $event } { $by } { $text }
staffcmd-assigned = #{ $number } is assigned to { $name }.
staffcmd-dispatched = Work order for #{ $number } is on its way to { $name } (you will be told here if it cannot be delivered).
staffcmd-dispatch-unassigned = #{ $number } has nobody assigned yet: /dispatch { $number } @technician sends one, or use Take or /assign first.
staffcmd-dispatch-no-technician = There is no active technician to send: add one with /staff add USER_ID NAME technician.
staffcmd-noted = 📝 Internal note added to #{ $number }.
staffcmd-replied = ✉️ Sent to the owner of #{ $number }.
staffcmd-resolved = ✅ #{ $number } is resolved; the owner is asked to confirm.
staffcmd-closed = 🔒 #{ $number } is closed.
staffcmd-reopened = 🔁 #{ $number } is reopened.
staffcmd-graded = #{ $number } graded { $grade }.
staffcmd-rescheduled = 📅 #{ $number }: visit moved to { $day }; the owner is told.
staffcmd-call = #{ $number } — { $name }: { $phone }
staffcmd-pick-assignee = Who should take it?
staffcmd-pick-technician = Which technician should go? The work order goes to them, and so does the ticket.
staffcmd-stale = This button is out of date.
grade-a-meaning = A = serious: a safety risk, a repeated complaint, or a dispute that needs the manager — answered first and reviewed by the manager.
grade-b-meaning = B = ordinary: handled by the front desk in the usual time.
