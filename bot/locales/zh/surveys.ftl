## Surveys (owners)
sv-item-response-speed = 响应速度
sv-item-quality = 维修质量
sv-item-outcome = 处理结果
sv-item-attitude = 服务态度
sv-item-cleanliness = 环境卫生
sv-item-security = 安全秩序
sv-item-greenery = 绿化养护
sv-item-repairs = 维修服务
sv-item-customer-service = 客户服务
sv-item-value-for-money = 性价比
sv-intro-post = 📋 您的请求 #{ $number }（{ $category }）已关闭。我们做得如何？请按 1（很不满意）到 5（非常满意）打分。
sv-intro-quarterly = 📋 <b>{ $quarter } 满意度调查</b>（{ $unit }）：请按 1（很不满意）到 5（非常满意）为我们的服务打分，共六题，每题点一下即可。
sv-reminder = ⏰ 温馨提醒：您的问卷开放至 { $until }。
sv-question = <b>{ $n }/{ $total } · { $item }</b>（1 = 很不满意，5 = 非常满意）
sv-answered = { $question }
    ✓ { $score }/5
sv-ask-comment = 谢谢！还有什么想说的吗？请输入意见，或点“跳过”。
sv-btn-skip = 跳过
sv-thanks = 🙏 感谢您的评价，我们会继续改进。
sv-thanks-low = 🙏 谢谢您。很抱歉没让您满意，我们的同事会给您回电。
sv-duplicate = 这道题您已经回答过了，谢谢！以第一次的回答为准。
sv-late = 这道题已经回答过了，请回答最新的问题。
sv-expired = 这份问卷已经结束，仍然感谢您！
sv-stale = 这份问卷已不可用。
sv-comment-too-long = 意见请控制在 { $limit } 字以内，或点“跳过”。
sv-comment-expected = 请输入您的意见，或点“跳过”。
sv-comment-thanks = 🙏 谢谢，您的意见我们已记录。

## Surveys (staff)
sv-score-line = { $flag }{ $item }：{ $score }/5
sv-alert = ⚠️ <b>满意度低分</b>：#{ $number }（{ $kind }，{ $category }）
    业主：{ $name }，电话 { $phone }
    { $scores }
    请在 { $due } 前回访（/callbacks）。
sv-alert-quarterly = ⚠️ <b>满意度低分</b>：{ $quarter } 季度调查
    业主：{ $name }（{ $unit }），电话 { $phone }
    { $scores }
    请在 { $due } 前回访（/callbacks）。
sv-alert-comment = 💬 { $name } 对 { $label } 的问卷意见：{ $text }
sv-usage = 用法：/survey quarter（预览并发送本季度抽样，主管）· /survey due（待发送的回访问卷，主管）· /survey results [YYYY-Qn]
sv-managers-only = 只有主管可以发送季度调查。
sv-preview = 📋 <b>{ $quarter } 季度调查</b>
    已验证住户：{ $eligible } · 本季度抽样：{ $count }
    { $units }
    尚未发送；将于 { $day } 10:00 自动发送。点“立即发送”马上发出。
sv-preview-sent = 📋 <b>{ $quarter } 季度调查</b>已发送给 { $eligible } 户中的 { $count } 户：
    { $units }
sv-preview-empty = 📋 { $quarter } 已没有需要调查的住户（已验证住户：{ $eligible }）。
sv-btn-send-now = 立即发送
sv-sent-now = ✅ { $quarter } 季度调查已发送给 { $count } 户。
sv-already-sent = { $quarter } 季度调查已经发送过了。
sv-results-bad-period = 请按 YYYY-Qn 格式填写季度，例如 2026-Q4。
sv-results-head = 📊 <b>{ $period } 满意度</b>（目标：单项 ≥ { $item_target } %，平均 ≥ { $target } %）
sv-results-kind-quarterly = <b>季度调查</b> — { $count } 户作答
sv-results-kind-post-service = <b>服务后回访</b> — { $count } 份作答
sv-results-item = { $flag }{ $item }：{ $pct } %（{ $count }）
sv-results-overall = { $flag }<b>平均：{ $pct } %</b>
sv-results-none = { $period } 还没有问卷回答。
sv-ticket-survey = 📋 问卷：{ $scores }
sv-ticket-survey-comment = 💬 “{ $text }”
sv-ticket-survey-waiting = 📋 问卷已于 { $at } 发送，尚未回答（开放至 { $until }）。
sv-ticket-survey-expired = 📋 问卷已于 { $at } 发送，未回答已结束。
sv-ticket-task = 🔁 回访（{ $origin }）截止 { $due }：{ $status }

## Call-back tasks (回访)
task-origin-after-repair = 维修后
task-origin-after-complaint = 投诉后
task-origin-low-score = 问卷低分
task-origin-booking = 业主预约
task-status-booked = 待回访
task-status-done = 已联系上
task-status-missed = 未联系上
task-status-cancelled = 已取消
task-label-ticket = #{ $number }
task-label-survey = 问卷回访 { $id }
task-title = 🔁 <b>回访任务：{ $count }</b>
task-line = { $flag }{ $label } { $origin } — { $name }（{ $units }）{ $phone } — 截止 { $due }
task-overdue = ⚠️ 已逾期 ·
task-legend = ✅ 已联系上 · 📵 未联系上 · 🗓 下一个工作日再打
task-btn-reached = ✅ { $label }
task-btn-not-reached = 📵 { $label }
task-btn-reschedule = 🗓 { $label }
task-recorded-reached = ✅ 回访 { $label }：已联系上业主（{ $staff }）。回复此消息可在记录中添加备注。
task-recorded-not-reached = 📵 回访 { $label }：未联系上业主（{ $staff }）。回复此消息可在记录中添加备注。
task-recorded-reschedule = 🗓 回访 { $label } 改到 { $day }（{ $staff }）。
task-already = 这个回访任务已经是“{ $status }”。
task-not-found = 找不到这个回访任务。
task-note-added = 📝 已在 { $label } 的记录中添加备注。
task-note-invalid = 备注请控制在 { $limit } 字以内。
task-none = 没有到期的回访任务。
event-callback-reached = 回访：已联系上
event-callback-not-reached = 回访：未联系上
event-callback-rescheduled = 回访改期
event-callback-note = 回访备注
event-survey-answered = 问卷已回答
event-survey-comment = 问卷意见

## Command menu
cli-cmd-callbacks = 预约回电和到期的回访任务
cli-cmd-survey = 满意度调查：/survey quarter、/survey results

sv-due-head = <b>📝 待发送的回访问卷</b>（工单关闭后次日 10:00 发出）：
sv-due-line = • #{ $number } { $owner } — { $closed } 关闭，{ $at } 发出
sv-due-more = … 另有 { $count } 份
sv-due-none = 目前没有待发送的回访问卷：每份问卷在工单关闭后次日 10:00 发出。
sv-btn-send-due = 📨 立即发送
sv-due-sent = 已立即发送 { $count } 份回访问卷。
sv-sent-now-held = ✅ { $quarter } 季度调查已排队发给 { $count } 户。现在是免打扰时段（{ $quiet }），业主将于 { $at } 收到。
sv-due-sent-held = 已排队 { $count } 份回访问卷。现在是免打扰时段（{ $quiet }），业主将于 { $at } 收到。
sv-due-nothing = 未发送：这些问卷已经发出。
sv-due-managers-only = 只有主管可以提前发送问卷。
