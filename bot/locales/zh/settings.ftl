## 员工：/hours、/quiet（小区设置）

settings-help = <b>小区设置</b>
    /hours — 查看办公时间、免打扰时段、时区和紧急电话
    /hours HH:MM-HH:MM — 设置办公时间：用于时限计算、回访时段和上门时间（主管）
    /quiet HH:MM-HH:MM — 设置免打扰时段，期间不向业主发送定时消息（主管）
settings-current = <b>小区设置</b>
    办公时间：{ $hours }
    免打扰时段：{ $quiet }
    时区：{ $zone }
    紧急电话：{ $phone }
settings-no-phone = 未设置
settings-window-format = “{ $text }”不是时间段。请写成 HH:MM-HH:MM，例如 08:30-17:30。
settings-window-empty = “{ $text }”的开始和结束时间相同。
settings-window-backwards = “{ $text }”的结束时间早于开始时间。办公时间须在同一天内，例如 08:30-17:30。
settings-hours-set = 已保存。办公时间现为 { $window }（{ $zone }）。新的时限、回访时段和上门时间按此计算。
settings-quiet-set = 已保存。免打扰时段现为 { $window }（{ $zone }）：提醒和问卷将在此后发送。
cli-cmd-hours = 办公时间、免打扰时段、紧急电话
