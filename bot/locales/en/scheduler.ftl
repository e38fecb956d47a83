## Fee reminders (owners)
remind-title = 🔔 <b>Fee reminder</b>
remind-line = • { $building }-{ $unit } { $item } { $period }: <b>{ $amount }</b>, due { $due }
remind-line-overdue = • { $building }-{ $unit } { $item } { $period }: <b>{ $amount }</b>, due { $due } — ⚠️ { $days } days overdue
remind-more = … and { $count } more (see My fees)
remind-total = Total still owed: <b>{ $total }</b>
remind-how-to-pay = <b>How to pay</b>
    { $instructions }
remind-footer = Already paid? Thank you — it can take a day to show. Questions: reply here or book a call-back.
remind-btn-fees = My fees

## Daily summary (staff)
summary-daily-title = 📊 <b>Daily summary { $day }</b>
summary-kind-count = { $kind } { $count }
summary-total = { $total } ({ $parts })
summary-new = New today: { $counts }
summary-closed = Closed today: { $counts }
summary-open = Still open: { $counts }
summary-overdue = Overdue: { $counts }
summary-complaints = Complaints received by grade: { $grades }
summary-no-complaints = No complaints received today.
summary-ungraded = not graded
summary-callbacks = Call-backs done: { $done } of { $due } due
summary-payments = Payments recorded: { $count } ({ $amount })

## Weekly complaint summary (staff)
weekly-title = 📣 <b>Complaints, week of { $week }</b> (previous week in brackets)
weekly-total = Received: { $now } ({ $before })
weekly-by-category = <b>By category</b>
weekly-by-grade = <b>By grade</b>
weekly-by-outcome = <b>By outcome</b>
weekly-row = • { $label }: { $now } ({ $before })
weekly-outcome-resolved = resolved
weekly-outcome-open = still open
weekly-outcome-cancelled = cancelled
