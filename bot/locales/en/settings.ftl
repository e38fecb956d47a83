## Staff: /hours, /quiet (the estate's settings)

settings-help = <b>Estate settings</b>
    /hours — office hours, quiet hours, time zone and emergency phone
    /hours HH:MM-HH:MM — set the office hours: SLA deadlines, call-back slots and visit times (managers)
    /quiet HH:MM-HH:MM — set the quiet hours, when owners get no messages from the scheduler (managers)
settings-current = <b>Estate settings</b>
    Office hours: { $hours }
    Quiet hours: { $quiet }
    Time zone: { $zone }
    Emergency phone: { $phone }
settings-no-phone = not set
settings-window-format = “{ $text }” is not a time window. Write it as HH:MM-HH:MM, e.g. 08:30-17:30.
settings-window-empty = “{ $text }” starts and ends at the same time.
settings-window-backwards = “{ $text }” closes before it opens. Office hours must lie within one day, e.g. 08:30-17:30.
settings-hours-set = Saved. Office hours are now { $window } ({ $zone }). New SLA deadlines, call-back slots and visit times use them.
settings-quiet-set = Saved. Quiet hours are now { $window } ({ $zone }): reminders and surveys wait until they end.
cli-cmd-hours = Office and quiet hours, emergency phone
