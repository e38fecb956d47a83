## Surveys (owners)
sv-item-response-speed = Response speed
sv-item-quality = Quality of work
sv-item-outcome = Outcome
sv-item-attitude = Staff attitude
sv-item-cleanliness = Cleanliness
sv-item-security = Security
sv-item-greenery = Greenery
sv-item-repairs = Repairs and maintenance
sv-item-customer-service = Customer service
sv-item-value-for-money = Value for money
sv-intro-post = 📋 Your request #{ $number } ({ $category }) was closed. How did we do? Please rate a few points from 1 (very poor) to 5 (excellent).
sv-intro-quarterly = 📋 <b>Satisfaction survey { $quarter }</b> for { $unit }: please rate our service from 1 (very poor) to 5 (excellent). Six questions, one tap each.
sv-reminder = ⏰ A reminder: your survey is open until { $until }.
sv-question = <b>{ $n }/{ $total } · { $item }</b> (1 = very poor, 5 = excellent)
sv-answered = { $question }
    ✓ { $score }/5
sv-ask-comment = Thank you! Anything you would like to add? Type a comment, or press Skip.
sv-btn-skip = Skip
sv-thanks = 🙏 Thank you for your answers — they help us improve.
sv-thanks-low = 🙏 Thank you. We are sorry it was not better: a colleague will call you back.
sv-duplicate = You have already answered this question — thank you. Your first answer counts.
sv-late = This question has already been answered. Please answer the newest question.
sv-expired = This survey has closed. Thank you all the same!
sv-stale = This survey is no longer available.
sv-comment-too-long = Please keep the comment under { $limit } characters, or press Skip.
sv-comment-expected = Please type your comment, or press Skip.
sv-comment-thanks = 🙏 Thank you, we have noted your comment.

## Surveys (staff)
sv-score-line = { $flag }{ $item }: { $score }/5
sv-alert = ⚠️ <b>Low satisfaction score</b> on #{ $number } ({ $kind }, { $category })
    Owner: { $name }, phone { $phone }
    { $scores }
    A call-back is due by { $due } (/callbacks).
sv-alert-quarterly = ⚠️ <b>Low satisfaction score</b> in the { $quarter } survey
    Owner: { $name } ({ $unit }), phone { $phone }
    { $scores }
    A call-back is due by { $due } (/callbacks).
sv-alert-comment = 💬 Survey comment on { $label } from { $name }: { $text }
sv-usage = Usage: /survey quarter (preview and send this quarter's sample, managers) · /survey due (post-service surveys waiting, managers) · /survey results [YYYY-Qn]
sv-managers-only = Only managers can send the quarterly survey.
sv-preview = 📋 <b>Quarterly survey { $quarter }</b>
    Verified households: { $eligible } · in this quarter's sample: { $count }
    { $units }
    Not sent yet; it goes out by itself at 10:00 on { $day }. Press Send now to send it at once.
sv-preview-sent = 📋 <b>Quarterly survey { $quarter }</b> was sent to { $count } of { $eligible } verified households:
    { $units }
sv-preview-empty = 📋 No household is left to ask in { $quarter } (verified households: { $eligible }).
sv-btn-send-now = Send now
sv-sent-now = ✅ The { $quarter } survey was sent to { $count } households.
sv-already-sent = The { $quarter } survey was already sent.
sv-results-bad-period = Please give the quarter as YYYY-Qn, e.g. 2026-Q4.
sv-results-head = 📊 <b>Satisfaction { $period }</b> (targets: each item ≥ { $item_target } %, average ≥ { $target } %)
sv-results-kind-quarterly = <b>Quarterly survey</b> — { $count } households answered
sv-results-kind-post-service = <b>After service</b> — { $count } surveys answered
sv-results-item = { $flag }{ $item }: { $pct } % ({ $count })
sv-results-overall = { $flag }<b>Average: { $pct } %</b>
sv-results-none = No survey answers for { $period } yet.
sv-ticket-survey = 📋 Survey: { $scores }
sv-ticket-survey-comment = 💬 “{ $text }”
sv-ticket-survey-waiting = 📋 Survey sent { $at }, not answered yet (open until { $until }).
sv-ticket-survey-expired = 📋 Survey sent { $at }, closed unanswered.
sv-ticket-task = 🔁 Call-back ({ $origin }) due { $due }: { $status }

## Call-back tasks (回访)
task-origin-after-repair = after repair
task-origin-after-complaint = after complaint
task-origin-low-score = low survey score
task-origin-booking = booked by the owner
task-status-booked = open
task-status-done = reached
task-status-missed = not reached
task-status-cancelled = cancelled
task-label-ticket = #{ $number }
task-label-survey = survey call { $id }
task-title = 🔁 <b>Call-back tasks (回访): { $count }</b>
task-line = { $flag }{ $label } { $origin } — { $name } ({ $units }) { $phone } — due { $due }
task-overdue = ⚠️ overdue ·
task-legend = ✅ Reached · 📵 Not reached · 🗓 Call again the next working day
task-btn-reached = ✅ { $label }
task-btn-not-reached = 📵 { $label }
task-btn-reschedule = 🗓 { $label }
task-recorded-reached = ✅ Call-back { $label }: owner reached ({ $staff }). Reply to this message to add a note to the history.
task-recorded-not-reached = 📵 Call-back { $label }: owner not reached ({ $staff }). Reply to this message to add a note to the history.
task-recorded-reschedule = 🗓 Call-back { $label } moved to { $day } ({ $staff }).
task-already = This call-back task is already { $status }.
task-not-found = That call-back task was not found.
task-note-added = 📝 Note added to the history of { $label }.
task-note-invalid = Please keep the note under { $limit } characters.
task-none = No call-back tasks due.
event-callback-reached = call-back: owner reached
event-callback-not-reached = call-back: owner not reached
event-callback-rescheduled = call-back rescheduled
event-callback-note = call-back note
event-survey-answered = survey answered
event-survey-comment = survey comment

## Command menu
cli-cmd-callbacks = Call-backs booked and call-back tasks due
cli-cmd-survey = Surveys: /survey quarter, /survey results

sv-due-head = <b>📝 Post-service surveys waiting</b> (each goes out at 10:00 the day after its request was closed):
sv-due-line = • #{ $number } { $owner } — closed { $closed }, goes out { $at }
sv-due-more = … and { $count } more
sv-due-none = No post-service survey is waiting: each goes out at 10:00 the day after its request is closed.
sv-btn-send-due = 📨 Send them now
sv-due-sent = { $count ->
    [one] 1 post-service survey sent now.
   *[other] { $count } post-service surveys sent now.
}
sv-sent-now-held = ✅ The { $quarter } survey is queued for { $count } households. It is quiet hours ({ $quiet }): they receive it at { $at }.
sv-due-sent-held = { $count ->
    [one] 1 post-service survey queued.
   *[other] { $count } post-service surveys queued.
} It is quiet hours ({ $quiet }): owners receive { $count ->
    [one] it
   *[other] them
} at { $at }.
sv-due-nothing = Nothing was sent: those surveys have gone out already.
sv-due-managers-only = Only managers can send surveys early.
