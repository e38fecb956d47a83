## 工单：类型、位置、类别、状态、拒绝说明（员工端与业主端共用）

ticket-kind-repair = 报修
ticket-kind-complaint = 投诉
ticket-place-unit = { $building } 栋 { $unit } 室
ticket-place-common = 公共区域：{ $location }
ticket-owner-line = { $icon } #{ $number } · { $category } · { $status } · { $updated }

ticket-error-not-found = 未找到工单 #{ $number }。
ticket-error-bad-transition = #{ $number } 当前状态为「{ $status }」，现在不能进行此操作。
ticket-error-invalid-date = #{ $number }：新的上门日期不能早于今天（格式 YYYY-MM-DD）。
ticket-error-bad-transition-resolve-first = #{ $number } 当前为「{ $status }」，请先办结（/resolve { $number }）再关闭。
ticket-error-taken = #{ $number } 已由 { $name } 接单，请看卡片。如需转交，请用「指派」。
ticket-error-forbidden = 您无权对 #{ $number } 进行此操作。
ticket-error-invalid-technician = #{ $number } 不在维修人员手上，派工单只发给维修人员：请选择由谁上门（卡片上的「派工」，或 /dispatch { $number } @维修人员）。
ticket-error-not-assignee = #{ $number } 未指派给您。
ticket-error-invalid = 输入内容对 #{ $number } 无效。
ticket-error-already-rated = #{ $number } 已经评价过了，谢谢！
ticket-error-not-complaint = #{ $number } 不是投诉，只有投诉可以定级。
ticket-error-not-rated = #{ $number } 还没有评分，请先选择星级。
ticket-error-already-commented = 您对 #{ $number } 的评价留言已经保存，谢谢！

category-plumbing = 水管/下水
category-electrical = 电路
category-doors-windows = 门窗
category-lift = 电梯
category-walls-ceiling = 墙面/天花
category-common-appliances = 公共区域设施
category-other = 其他
category-attitude = 服务态度
category-cleanliness = 环境卫生
category-security = 安保
category-noise = 噪音/邻里
category-parking = 停车
category-fees = 收费

status-new = 待处理
status-assigned = 已指派
status-in-progress = 处理中
status-resolved = 已解决
status-closed = 已关闭
status-reopened = 已重新打开
status-cancelled = 已取消

urgency-normal = 普通
urgency-urgent = 紧急

grade-a = A（严重）
grade-b = B

event-created = 创建
event-assigned = 指派
event-started = 已派工
event-resolved = 已解决
event-closed = 已关闭
event-reopened = 重新打开
event-cancelled = 已取消
event-rated = 已评价
event-comment = 业主补充
event-note = 内部备注
event-reply = 回复业主
event-graded = 已定级
event-rescheduled = 改约上门时间
event-called = 查看了业主电话
event-rating-comment = 评价留言
event-by-owner = 业主
event-by-system = 系统

## 员工群工单卡片

card-head = { $icon } <b>#{ $number }</b> · { $kind }
card-urgent = 🔴 <b>紧急</b>
card-overdue = ⚠️ <b>已超时</b>
card-nobody = 无
card-status = 状态：<b>{ $status }</b> · 负责人：{ $assignee }
card-place = 📍 { $place }
card-category = 类别：{ $category }
card-urgency = 紧急程度：{ $urgency }
card-grade = 等级：{ $grade }
card-description = <blockquote>{ $text }</blockquote>
card-photos = 📷 { $count } 张照片
card-preferred = 希望上门时间：{ $time }
card-scheduled = 📅 预约上门：{ $day }
card-owner = 👤 { $name } · { $phone }
card-wants-call = 📞 业主希望回电。
card-sla = ⏱ 请在 { $at } 前响应
card-responded = ✅ 首次响应 { $at }
card-rating = 评价：{ $stars } { $comment }
card-last = <i>最近：{ $at } { $event }（{ $by }）</i>
card-btn-take = ✋ 接单
card-btn-assign = 👥 指派
card-btn-dispatch = 🚚 派工
card-btn-resolve = ✅ 已解决
card-btn-close = 🔒 关闭
card-btn-reopen = 🔁 重新打开
card-btn-call = 📞 联系业主
card-btn-back = « 返回
card-btn-done = ✅ 完工
card-assign-to = { $name }（{ $role }）
card-order-head = 🚚 <b>派工单 #{ $number }</b> · { $kind }
card-order-reopened = 🔁 重新打开：{ $reason }
card-order-comment = 💬 业主补充：{ $text }
card-order-not-fixed = 🔁 重新打开：业主反馈问题未解决。
card-order-done = 完工后请点「完工」，或发送 /done { $number } 加上处理说明。

## 工单事件引起的消息

notify-owner-comment = 💬 <b>#{ $number }</b> 业主补充：
    { $text }
notify-owner-photo = 📷 <b>#{ $number }</b> 业主补充照片
notify-reopened = 🔁 <b>#{ $number }</b> 已重新打开：{ $reason }
notify-reopened-owner = 🔁 <b>#{ $number }</b> 业主反馈问题未解决：{ $reason }
notify-reopened-no-reason = 🔁 <b>#{ $number }</b> 已重新打开。
notify-reopened-owner-no-reason = 🔁 <b>#{ $number }</b> 业主反馈问题未解决，正在询问具体情况，业主的回答会显示在此卡片下。
notify-reply = 💬 <b>#{ $number }</b> 物业服务中心回复：
    { $text }

    <i>直接回复本条消息即可答复。</i>
notify-reply-photo = 📷 <b>#{ $number }</b> 物业服务中心发来照片。
notify-resolved = ✅ 您的工单 <b>#{ $number }</b> 已处理完毕。问题解决了吗？
notify-resolved-note = ✅ 您的工单 <b>#{ $number }</b> 已处理完毕：{ $text }
    问题解决了吗？
notify-btn-fixed = 👍 已解决
notify-btn-not-fixed = 👎 未解决
notify-handled = ✅ 您的投诉 <b>#{ $number }</b> 已处理。您对处理结果满意吗？
notify-handled-note = ✅ 您的投诉 <b>#{ $number }</b> 已处理：{ $text }
    您对处理结果满意吗？
notify-btn-handled = 👍 满意，已解决
notify-btn-not-handled = 👎 不满意，未解决
notify-rescheduled-tech = 📅 <b>#{ $number }</b>：上门时间改为 { $day }。
notify-rescheduled = 📅 工单 <b>#{ $number }</b>：上门时间改为 { $day }。
notify-rate = 🔒 工单 <b>#{ $number }</b> 已关闭。请为本次服务打分。
notify-cancelled = ✖️ 工单 <b>#{ $number }</b> 已被物业服务中心取消：{ $reason }

## 员工群工单命令

staffcmd-help = <b>工单</b>
    /queue — 未完成工单，超时的在前
    /ticket N — 查看工单及处理记录
    /assign N @用户名|me — 指派（或在卡片上点「接单」「指派」）
    /dispatch N [@用户名|me] — 向维修人员派工（当前负责人，或指定的人）
    /note N 内容 — 内部备注（业主看不到）
    /reply N 内容 — 回复业主
    /resolve N [说明] — 标记已解决（请业主确认）
    /close N — 关闭 · /reopen N [原因] — 重新打开
    /grade N A|B — 投诉定级
    /reschedule N YYYY-MM-DD — 改约上门日期（会通知业主）
    直接回复工单卡片即可答复业主；以 ! 开头则为内部备注。
    维修人员：在私聊中发送 /done N [处理说明]，或点「完工」。
staffcmd-usage-ticket = 用法：/ticket N
staffcmd-usage-assign = 用法：/assign N @用户名（或 /assign N me）
staffcmd-usage-dispatch = 用法：/dispatch N（或 /dispatch N @维修人员）
staffcmd-usage-note = 用法：/note N 内容
staffcmd-usage-reply = 用法：/reply N 内容
staffcmd-usage-resolve = 用法：/resolve N [处理说明]
staffcmd-usage-done = 用法：/done N [处理说明]
staffcmd-usage-close = 用法：/close N
staffcmd-usage-reopen = 用法：/reopen N [原因]
staffcmd-usage-grade = 用法：/grade N A|B
    { grade-a-meaning }
    { grade-b-meaning }
staffcmd-usage-reschedule = 用法：/reschedule N YYYY-MM-DD
staffcmd-no-such-staff = 没有在职员工 { $who }。请使用 /staff 中登记的 @用户名，或 me。
staffcmd-queue-empty = 暂无未完成工单。🎉
staffcmd-queue-head = <b>未完成工单：{ $count }</b>（超时：{ $overdue }）
staffcmd-queue-line = { $flag }{ $icon } <b>#{ $number }</b> { $category } · { $status } · { $place } · { $assignee } · { $age }
staffcmd-queue-more = ……另有 { $count } 条。
staffcmd-age-minutes = { $count } 分钟
staffcmd-age-hours = { $count } 小时
staffcmd-age-days = { $count } 天
staffcmd-history = <b>处理记录</b>
staffcmd-history-to = → { $name }
staffcmd-history-line = { $at } { $event } { $by } { $text }
staffcmd-assigned = #{ $number } 已指派给 { $name }。
staffcmd-dispatched = #{ $number } 的派工单正在发给 { $name }（如未能送达，会在本群提醒）。
staffcmd-dispatch-unassigned = #{ $number } 尚未指派：用 /dispatch { $number } @维修人员 直接派工，或先点「接单」或使用 /assign。
staffcmd-dispatch-no-technician = 没有在职的维修人员可派：请用 /staff add 用户ID 姓名 维修 添加。
staffcmd-noted = 📝 已为 #{ $number } 添加内部备注。
staffcmd-replied = ✉️ 已发送给 #{ $number } 的业主。
staffcmd-resolved = ✅ #{ $number } 已解决，已请业主确认。
staffcmd-closed = 🔒 #{ $number } 已关闭。
staffcmd-reopened = 🔁 #{ $number } 已重新打开。
staffcmd-graded = #{ $number } 已定为 { $grade } 级。
staffcmd-rescheduled = 📅 #{ $number }：上门日期改为 { $day }，已通知业主。
staffcmd-call = #{ $number } — { $name }：{ $phone }
staffcmd-pick-assignee = 指派给谁？
staffcmd-pick-technician = 派哪位维修人员？派工单发给他，工单也由他负责。
staffcmd-stale = 此按钮已过期。
grade-a-meaning = A = 严重：涉及安全隐患、重复投诉或需主管处理的纠纷，优先处理并由主管复核。
grade-b-meaning = B = 一般：由客服按正常时限处理。
