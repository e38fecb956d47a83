cb-weekday = { $day ->
    [mon] Mon
    [tue] Tue
    [wed] Wed
    [thu] Thu
    [fri] Fri
    [sat] Sat
   *[sun] Sun
}
cb-slot = { $weekday } { $date } { $start }–{ $end }
cb-topic-ticket = About request #{ $number }
cb-topic-fees = About fees
cb-topic-other = Something else
cb-ask-topic = 📞 We will call you back. What would you like to talk about?
cb-btn-ticket = #{ $number } { $category }
cb-btn-fees = 💳 Fees
cb-btn-other = 💬 Something else
cb-btn-quit = ✖ Cancel
cb-ask-note = Add a short note for our staff (up to { $limit } characters), or press Skip.
cb-btn-skip = Skip ➡
cb-note-too-long = Please keep the note under { $limit } characters, or press Skip.
cb-note-expected = Please type a short note (up to { $limit } characters), or press Skip.
cb-ask-slot = When should we call? Times are local; choose a slot:
cb-use-buttons = Please use the buttons above, or send /cancel to stop.
cb-slot-gone = That slot is no longer available. Please choose another one.
cb-confirm = Please check your call-back:
    Topic: { $topic }
    Note: { $note }
    When: { $slot }
cb-btn-confirm = ✅ Book it
cb-booked = ✅ Booked! We will call you on { $slot }. You can see or cancel it with “📞 Book a call-back”.
cb-refused-limit = You already have { $count } call-backs booked, which is the most we can take. Please cancel one first or wait until it has taken place.
cb-refused-duplicate = You already have a call-back booked in that slot.
cb-ticket-gone = That request is no longer open. Please choose another topic.
cb-stale = This question is no longer current. Press “📞 Book a call-back” to start again.
cb-overview-title = { $count ->
    [one] 📞 Your booked call-back:
   *[other] 📞 Your { $count } booked call-backs:
}
cb-overview-line = • { $slot } — { $topic }
cb-btn-cancel-one = ✖ Cancel { $slot }
cb-btn-book-another = ➕ Book another call-back
cb-limit = You can hold at most { $count } booked call-backs at a time.
cb-not-found = That call-back was not found.
cb-not-booked = That call-back is no longer booked, so there is nothing to cancel.
cb-cancelled = Your call-back on { $slot } is cancelled.
cb-card = 📞 <b>Call-back #{ $id }</b>
    Owner: { $name } ({ $units })
    Phone: { $phone }
    Topic: { $topic }
    Note: { $note }
    When: <b>{ $slot }</b>
cb-card-cancelled = 📞 Call-back #{ $id } ({ $name }, { $slot }) was <b>cancelled by the owner</b>.
cb-btn-done = ✅ Done
cb-btn-missed = 📵 Missed
cb-status-booked = booked
cb-status-done = done
cb-status-missed = missed
cb-status-cancelled = cancelled
cb-owner-missed = 📵 We called you for the call-back of { $slot } but could not reach you. To choose another time, press “📞 Book a call-back”.
cb-staff-too-early = The owner expects the call in { $slot }. Mark it missed only after trying in that slot.
cb-staff-already = This call-back is already { $status }.
cb-staff-done = ✅ Called by { $staff }.
cb-staff-missed = 📵 Missed — no answer (marked by { $staff }).
cb-staff-usage = Usage: /callbacks [today|week]
cb-staff-none-today = No call-backs booked for today.
cb-staff-none-week = No call-backs booked for the coming week.
cb-staff-title-today = { $count ->
    [one] 📞 <b>One call-back today:</b>
   *[other] 📞 <b>{ $count } call-backs today:</b>
}
cb-staff-title-week = { $count ->
    [one] 📞 <b>One call-back this week:</b>
   *[other] 📞 <b>{ $count } call-backs this week:</b>
}
cb-staff-line = #{ $id } { $slot } — { $name } ({ $units }) { $phone } — { $topic }
cb-staff-more = …and { $count } more.
