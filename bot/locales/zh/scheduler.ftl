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
summary-callbacks = 回电完成：{ $done } / 应回 { $due }
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
