## Reports and KPIs: /stats, /report, /export, the dashboard picture and the workbook

reports-help = <b>Reports</b>
    /stats [day|week|month] — the figures so far, each against its target
    /report [YYYY-MM] — the month's dashboard picture and workbook
    /export [YYYY-MM] — the month's workbook (XLSX)
reports-usage-stats = Usage: /stats [day|week|month]
reports-usage-month = Usage: /{ $command } [YYYY-MM], e.g. /{ $command } { $example }
reports-future-month = { $month } has not begun yet.
reports-working = Preparing the report for { $month }…
reports-caption = { $estate } · service report { $month }
reports-workbook-caption = { $estate } · workbook { $month }
reports-monthly-caption = Monthly report { $month } · { $estate }

reports-span-day = Today
reports-span-week = This week
reports-span-month = This month
reports-stats-head = <b>📊 { $span }</b> · { $first } – { $last }
reports-stats-tickets = Requests: { $opened } opened ({ $repairs } repairs, { $complaints } complaints), { $closed } closed
reports-stats-response = First response: median { $median } h, 90 % within { $p90 } h (working hours)
reports-stats-resolution = Resolution: median { $median } h, 90 % within { $p90 } h (working hours)
reports-stats-rate = { $mark } { $label }: { $value } (target { $target })
reports-stats-items = { $mark } Items at { $target } or more: { $met } of { $total }
reports-cmd-stats = Figures so far: /stats [day|week|month]
reports-cmd-report = Month's dashboard and workbook: /report [YYYY-MM]
reports-cmd-export = Month's workbook (XLSX): /export [YYYY-MM]
reports-stats-plain = • { $label }: { $value }
reports-stats-none = —
reports-stats-of = { $pct } ({ $hits }/{ $total })
reports-stats-money = { $pct } ({ $paid } of { $billed })
reports-stats-score = { $pct } ({ $answers ->
    [one] 1 answer
   *[other] { $answers } answers
})

reports-kpi-sla = SLA met
reports-kpi-reopen = Reopened
reports-kpi-complaint-reply = Complaints answered in 24 h
reports-kpi-complaint-callback = Complaint call-backs in 3 days
reports-kpi-repair-callback = Repair call-backs next day
reports-kpi-collection = Collection rate
reports-kpi-satisfaction = Satisfaction
reports-kpi-coverage = Survey coverage this year
reports-kpi-opened = Opened
reports-kpi-closed = Closed
reports-kpi-response = Median first response
reports-kpi-resolution = Median resolution
reports-hours = { $hours } h

reports-dash-title = { $estate } — service report { $month }
reports-dash-subtitle = Made { $at } · times in { $zone } · durations in working hours
reports-dash-weekly = Requests opened per week
reports-dash-week = { $day }
reports-dash-repairs = Repairs
reports-dash-complaints = Complaints
reports-dash-categories = Top categories
reports-dash-ontime = On time
reports-dash-satisfaction = Satisfaction per item (mean score ÷ 5)
reports-dash-overall = Overall
reports-dash-target = target { $pct } %
reports-dash-collection = Collection rate by building
reports-dash-collection-lowest = Collection rate (lowest { $shown } of { $total })
reports-dash-all-buildings = All
reports-dash-building = Bldg { $building }
reports-dash-no-data = No data this month

reports-sheet-work-orders = Work orders
reports-sheet-complaints = Complaint analysis
reports-sheet-call-backs = Call-backs
reports-sheet-satisfaction = Satisfaction
reports-sheet-collection = Collection
reports-col-number = No.
reports-col-kind = Kind
reports-col-category = Category
reports-col-urgency = Urgency
reports-col-status = Status
reports-col-grade = Grade
reports-col-place = Unit / place
reports-col-assignee = Assignee
reports-col-opened = Opened
reports-col-sla-due = SLA due
reports-col-first-response = First response
reports-col-resolved = Resolved
reports-col-closed = Closed
reports-col-response-hours = Response (working h)
reports-col-resolution-hours = Resolution (working h)
reports-col-sla-met = SLA met
reports-col-rating = Rating
reports-col-count = Count
reports-col-ticket = Request
reports-col-origin = Type
reports-col-topic = Topic
reports-col-due = Due
reports-col-staff = Staff
reports-col-outcome = Outcome
reports-col-item = Item
reports-col-answers = Answers
reports-col-satisfaction = Satisfaction
reports-col-rate = Rate
reports-col-mean = Mean score
reports-col-target = Target
reports-col-building = Building
reports-col-billed = Billed
reports-col-paid = Paid
reports-col-outstanding = Outstanding
reports-total = Total
reports-total-median = Median
reports-total-p90 = 90th percentile
reports-yes = yes
reports-no = no
reports-grade-none = not graded
reports-origin-booking = booked by owner
reports-origin-after-repair = after a repair
reports-origin-after-complaint = after a complaint
reports-origin-low-score = after a low score
reports-callback-booked = booked
reports-callback-done = done
reports-callback-missed = missed
reports-callback-cancelled = cancelled
reports-topic-ticket = The request
reports-topic-fees = Fees
reports-topic-other = Something else
reports-topic-survey = A low survey score
reports-outcome-reached = reached
reports-outcome-not-reached = not reached
