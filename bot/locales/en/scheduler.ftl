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
summary-tasks = Call-back tasks due today: { $done } of { $due } reached, { $missed } not reached, { $open } still open
summary-bookings = Booked call-backs today: { $done } of { $due } done
summary-satisfaction = Satisfaction this month so far: { $pct } ({ $answers ->
    [one] 1 answer
   *[other] { $answers } answers
})
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

## SLA escalation (staff)
sla-alert-response-1 = ⚠️ #{ $number } ({ $kind }) has had no answer since { $due } (first-response deadline). Assignee: { $assignee }. { $managers }
sla-alert-response-2 = 🚨 #{ $number } ({ $kind }) still has no answer: twice its first-response time has passed (deadline was { $due }). Assignee: { $assignee }. { $managers }
sla-alert-resolution-1 = ⚠️ #{ $number } ({ $kind }) is past its resolution deadline ({ $due }). Assignee: { $assignee }. { $managers }
sla-alert-resolution-2 = 🚨 #{ $number } ({ $kind }) is still not resolved: twice its resolution time has passed (deadline was { $due }). Assignee: { $assignee }. { $managers }
sla-no-managers = (no manager on the staff list)

## Call-back reminders (staff)
callback-reminder = ⏰ Call-back in 15 minutes: { $slot }
    { $name } ({ $units }) { $phone }
    Topic: { $topic }
    Note: { $note }

## Announcements
announce-owner = 📢 <b>{ $estate }</b>
    { $text }
announce-usage = Usage: /announce [building=N] text
    For two languages start lines with "en:" and "zh:", e.g.
    /announce building=3 en: Water is off on Tuesday 9:00–12:00.
    zh: 周二 9:00–12:00 停水。
announce-error-empty = { announce-usage }
announce-error-too-long = That announcement is too long (at most 3500 characters).
announce-error-no-recipients = Nobody would receive it: no verified owners { $building ->
        [none] in the estate
       *[other] in building { $building }
    }.
announce-to-all = all verified owners
announce-to-building = verified owners of building { $building }
announce-one-text = one text for everyone
announce-preview = 📢 <b>Announcement preview</b>
    To: { $audience } — { $count } recipients
    Languages: { $languages }

    { $text }
announce-btn-send = Send
announce-btn-cancel = Cancel
announce-sending = Sending, confirmed by { $by }.
announce-cancelled = Cancelled by { $by }. Nothing was sent.
announce-not-draft = This announcement was already sent or cancelled.
announce-progress = 📢 Announcement #{ $id }: { $sent } sent, { $failed } failed, { $waiting } waiting (of { $total })
announce-progress-done = 📢 Announcement #{ $id } finished: { $sent } sent, { $failed } failed (of { $total })
announce-quiet-note = 🌙 It is quiet hours ({ $quiet }): <b>Send</b> queues it and owners receive it at { $at }. <b>Send now</b> is for what cannot wait (water, power, safety).
announce-btn-send-later = Send at { $at }
announce-btn-send-now = Send now
announce-sending-later = Queued by { $by }; owners receive it at { $at }, after the quiet hours.
announce-progress-held = 📢 Announcement #{ $id }: { $waiting } waiting for { $at } (quiet hours), { $sent } sent, { $failed } failed (of { $total })

## /remind
remind-usage = Usage: /remind off BUILDING-UNIT reason · /remind on BUILDING-UNIT
remind-paused = 🔕 Fee reminders for { $unit } are paused until /remind on { $unit }.
remind-already-paused = Fee reminders for { $unit } were already paused.
remind-resumed = 🔔 Fee reminders for { $unit } are on again.
remind-not-paused = Fee reminders for { $unit } were not paused.
remind-error-no-unit = There is no unit { $unit }. Write it as BUILDING-UNIT, e.g. 3-1201.
remind-error-no-reason = Please give a reason: /remind off { $unit } reason
remind-not-registered = Please register first: send /start.

## /jobs
jobs-title = <b>Scheduled jobs</b> (times in { $zone })
jobs-line = • <b>{ $title }</b> — { $schedule }
    { $last } · next: { $next }
jobs-every-minute = every minute
jobs-daily = daily at { $time }
jobs-weekly = { $day }s at { $time }
jobs-monthly = monthly on day { $day } at { $time }
jobs-never-run = not run yet
jobs-last-run = last: { $at }, { $result }
jobs-result-ok = { $count ->
    [one] 1 message
   *[other] { $count } messages
}
jobs-result-failed = ⚠️ failed
jobs-result-running = running
jobs-ran-held = { $title }: { $count ->
    [one] 1 message queued
   *[other] { $count } messages queued
}. It is quiet hours ({ $quiet }), so owners receive { $count ->
    [one] it
   *[other] them
} at { $at }.
jobs-btn-run = ▶️ Run now: { $title }
jobs-ran = { $title }: done, { $count ->
    [one] 1 new message
   *[other] { $count } new messages
} queued.
jobs-failed = { $title } failed; see the log.
jobs-unknown = That job no longer exists.
jobs-not-due-yet = { $title }: nothing was due yet; the next goes out { $at }.
job-fee-reminders = Fee reminders
job-daily-summary = Daily summary
job-weekly-complaint-summary = Weekly complaint summary
job-sla-escalation = SLA escalation
job-callback-reminders = Call-back reminders
job-announcements = Announcements
job-idle-conversations = Idle conversations
job-monthly-report = Monthly report
job-post-service-survey = Post-service survey
job-quarterly-survey = Quarterly survey
jobs-help = <b>Scheduler</b>
    /jobs — scheduled jobs, last and next run, Run now (managers)
    /remind off BUILDING-UNIT reason · /remind on BUILDING-UNIT — pause or resume fee reminders
    /announce [building=N] text — message to all owners (managers; "en:" / "zh:" lines for two languages)
cli-cmd-jobs = Scheduled jobs, Run now
cli-cmd-remind = Pause or resume fee reminders
cli-cmd-announce = Announcement to owners
summary-grade = { $grade }: { $count }
