## Fee reminders (owners)
remind-title = 🔔 <b>缴费提醒</b>
remind-line = • { $building }-{ $unit } { $item } { $period }：<b>{ $amount }</b>，缴费截止 { $due }
remind-line-overdue = • { $building }-{ $unit } { $item } { $period }：<b>{ $amount }</b>，缴费截止 { $due } — ⚠️ 已逾期 { $days } 天
remind-more = …… 另有 { $count } 项（请查看"我的费用"）
remind-total = 合计待缴：<b>{ $total }</b>
remind-how-to-pay = <b>缴费方式</b>
    { $instructions }
remind-footer = 如已缴费，感谢您！到账可能需要一天。如有疑问，请直接回复或预约回电。
remind-btn-fees = 我的费用

## Daily summary (staff)
summary-daily-title = 📊 <b>每日汇总 { $day }</b>
summary-kind-count = { $kind } { $count }
summary-total = { $total }（{ $parts }）
summary-new = 今日新增：{ $counts }
summary-closed = 今日关闭：{ $counts }
summary-open = 仍未完成：{ $counts }
summary-overdue = 已超时：{ $counts }
summary-complaints = 今日投诉（按等级）：{ $grades }
summary-no-complaints = 今日无投诉。
summary-ungraded = 未定级
summary-tasks = 今日到期回访：已回访 { $done } / 应回访 { $due }，未联系上 { $missed }，待办 { $open }
summary-bookings = 今日预约回电：完成 { $done } / 共 { $due }
summary-satisfaction = 本月至今满意度：{ $pct }（{ $answers } 个评分）
summary-payments = 今日收款：{ $count } 笔（{ $amount }）

## Weekly complaint summary (staff)
weekly-title = 📣 <b>本周投诉汇总（{ $week } 起）</b>（括号内为上周）
weekly-total = 收到投诉：{ $now }（{ $before }）
weekly-by-category = <b>按类别</b>
weekly-by-grade = <b>按等级</b>
weekly-by-outcome = <b>按结果</b>
weekly-row = • { $label }：{ $now }（{ $before }）
weekly-outcome-resolved = 已解决
weekly-outcome-open = 处理中
weekly-outcome-cancelled = 已取消

## SLA escalation (staff)
sla-alert-response-1 = ⚠️ #{ $number }（{ $kind }）自 { $due }（首次响应时限）起仍未答复。负责人：{ $assignee }。{ $managers }
sla-alert-response-2 = 🚨 #{ $number }（{ $kind }）仍未答复，已超过首次响应时限的两倍（时限为 { $due }）。负责人：{ $assignee }。{ $managers }
sla-alert-resolution-1 = ⚠️ #{ $number }（{ $kind }）已超过处理时限（{ $due }）。负责人：{ $assignee }。{ $managers }
sla-alert-resolution-2 = 🚨 #{ $number }（{ $kind }）仍未解决，已超过处理时限的两倍（时限为 { $due }）。负责人：{ $assignee }。{ $managers }
sla-no-managers = （员工名单中没有主管）

## Call-back reminders (staff)
callback-reminder = ⏰ 15 分钟后回电：{ $slot }
    { $name }（{ $units }）{ $phone }
    主题：{ $topic }
    备注：{ $note }

## Announcements
announce-owner = 📢 <b>{ $estate }</b>
    { $text }
announce-usage = 用法：/announce [building=楼号] 内容
    如需中英文两种版本，请以 "en:" 和 "zh:" 开头分行书写，例如：
    /announce building=3 en: Water is off on Tuesday 9:00–12:00.
    zh: 周二 9:00–12:00 停水。
announce-error-empty = { announce-usage }
announce-error-too-long = 公告太长（最多 3500 个字符）。
announce-error-no-recipients = 没有人会收到：{ $building ->
        [none] 本小区
       *[other] { $building } 号楼
    }没有已验证的业主。
announce-to-all = 全体已验证业主
announce-to-building = { $building } 号楼已验证业主
announce-one-text = 所有人同一内容
announce-preview = 📢 <b>公告预览</b>
    发送对象：{ $audience } — 共 { $count } 人
    语言：{ $languages }

    { $text }
announce-btn-send = 发送
announce-btn-cancel = 取消
announce-sending = 正在发送，由 { $by } 确认。
announce-cancelled = 已由 { $by } 取消，未发送任何消息。
announce-not-draft = 该公告已发送或已取消。
announce-progress = 📢 公告 #{ $id }：已发送 { $sent }，失败 { $failed }，等待 { $waiting }（共 { $total }）
announce-progress-done = 📢 公告 #{ $id } 已完成：已发送 { $sent }，失败 { $failed }（共 { $total }）
announce-quiet-note = 🌙 现在是免打扰时段（{ $quiet }）：按<b>发送</b>将排队，业主于 { $at } 收到。<b>立即发送</b>仅用于不能等待的通知（停水、停电、安全）。
announce-btn-send-later = { $at } 发送
announce-btn-send-now = 立即发送
announce-sending-later = 已由 { $by } 确认排队；免打扰时段结束后，业主于 { $at } 收到。
announce-progress-held = 📢 公告 #{ $id }：{ $waiting } 条等待 { $at } 发送（免打扰时段），已发送 { $sent }，失败 { $failed }（共 { $total }）

## /remind
remind-usage = 用法：/remind off 楼号-房号 原因 · /remind on 楼号-房号
remind-paused = 🔕 { $unit } 的缴费提醒已暂停，发送 /remind on { $unit } 可恢复。
remind-already-paused = { $unit } 的缴费提醒此前已暂停。
remind-resumed = 🔔 { $unit } 的缴费提醒已恢复。
remind-not-paused = { $unit } 的缴费提醒并未暂停。
remind-error-no-unit = 没有 { $unit } 这个房屋。请按"楼号-房号"填写，例如 3-1201。
remind-error-no-reason = 请填写原因：/remind off { $unit } 原因
remind-not-registered = 请先发送 /start 完成登记。

## /jobs
jobs-title = <b>定时任务</b>（时间为 { $zone }）
jobs-line = • <b>{ $title }</b> — { $schedule }
    { $last } · 下次：{ $next }
jobs-every-minute = 每分钟
jobs-daily = 每天 { $time }
jobs-weekly = 每{ $day } { $time }
jobs-monthly = 每月 { $day } 日 { $time }
jobs-never-run = 尚未运行
jobs-last-run = 上次：{ $at }，{ $result }
jobs-result-ok = { $count } 条消息
jobs-result-failed = ⚠️ 失败
jobs-result-running = 运行中
jobs-ran-held = { $title }：已排队 { $count } 条消息。现在是免打扰时段（{ $quiet }），业主将于 { $at } 收到。
jobs-btn-run = ▶️ 立即运行：{ $title }
jobs-ran = { $title }：已完成，新排队 { $count } 条消息。
jobs-failed = { $title } 运行失败，请查看日志。
jobs-unknown = 该任务已不存在。
jobs-not-due-yet = { $title }：暂无到期任务，下一次在 { $at } 发出。
job-fee-reminders = 缴费提醒
job-daily-summary = 每日汇总
job-weekly-complaint-summary = 每周投诉汇总
job-sla-escalation = 超时升级
job-callback-reminders = 回电提醒
job-announcements = 公告
job-idle-conversations = 闲置会话
job-monthly-report = 月度报告
job-post-service-survey = 服务后回访调查
job-quarterly-survey = 季度满意度调查
jobs-help = <b>定时任务</b>
    /jobs — 定时任务、上次与下次运行、立即运行（主管）
    /remind off 楼号-房号 原因 · /remind on 楼号-房号 — 暂停或恢复缴费提醒
    /announce [building=楼号] 内容 — 向全体业主发送公告（主管；以 "en:" / "zh:" 分行可发中英两版）
cli-cmd-jobs = 定时任务、立即运行
cli-cmd-remind = 暂停或恢复缴费提醒
cli-cmd-announce = 向业主发布公告
summary-grade = { $grade }：{ $count }
