# 业主端报修与投诉：两个表单（form-、repair-、complaint-）和“我的请求”（myreq-）。

## 表单的公共步骤

form-unit = { $building }-{ $number }
form-stale = 此按钮已失效。
form-use-buttons = 请点击下方的按钮进行选择。
form-text-expected = 请用文字回复。
form-description-too-short = 内容有点少，请至少用 { $count } 个字描述。
form-description-too-long = 内容太长了（{ $length } 个字），请控制在 { $limit } 个字以内。
form-description-photo-kept = 照片已收到。请再用文字描述一下问题。
form-ask-photos = 照片能帮我们更快处理。现在可以发送最多 { $limit } 张照片，或点击“跳过”。
form-ask-more-photos = 已附 { $count } 张照片。可以继续发送（最多 { $limit } 张），或点击“完成”。
form-photo-added = 已添加第 { $count } 张照片（最多 { $limit } 张）。可以继续发送，或点击“完成”。
form-photo-added-last = 已添加第 { $count } 张照片，已达上限（{ $limit } 张）。请点击“完成”继续。
form-photos-full = 您已附上 { $limit } 张照片，已达上限。请点击“完成”继续。
form-photos-expected = 请发送照片，或点击按钮继续。
form-btn-done = ✅ 完成
form-btn-skip = ⏭ 跳过
form-ask-phone = 工作人员应拨打哪个电话联系您？请输入号码。
form-btn-my-phone = 📱 使用我的号码 { $phone }
form-phone-invalid = 这似乎不是有效的电话号码，请重新输入，例如 13800138000。
form-visit-asap = 尽快
form-visit-any = 任何时间
form-visit-at = { $label }（{ $window }）
form-sum-place = 📍 位置：{ $place }
form-sum-category = 🏷 类别：{ $category }
form-sum-description = 📝 { $description }
form-sum-photos = { $count ->
    [0] 📷 无照片
   *[other] 📷 { $count } 张照片
}
form-sum-urgency = ⚡ 紧急程度：{ $urgency }
form-sum-visit = 🕒 上门时间：{ $visit }
form-sum-phone = ☎ 联系电话：{ $phone }
form-sum-call-yes = ☎ 您希望我们致电回复。
form-sum-call-no = ✉ 书面回复即可。
form-sum-check = 以上信息是否正确？
form-btn-confirm = ✅ 确认提交
form-btn-edit = ✏ 修改
form-btn-cancel = ✖ 取消
form-ask-edit = 您想修改哪一项？
form-field-where = 位置
form-field-category = 类别
form-field-description = 描述
form-field-photos = 照片（重新发送）
form-field-urgency = 紧急程度
form-field-visit = 上门时间
form-field-phone = 联系电话
form-field-call = 是否回电
form-btn-back = ⬅ 返回确认页
form-cancelled = 已取消，未提交任何内容。
form-refused = 抱歉，此请求未能登记。请核对信息后重试，或联系物业服务中心。

## 报修

repair-ask-where = 问题出在哪里？
repair-btn-common = 🏢 公共区域
repair-btn-common-instead = 🏢 不在我家：公共区域
repair-ask-building = 在哪一栋？（例如：3，或“停车场”）
repair-building-invalid = 楼栋请不要超过 { $limit } 个字。
repair-ask-place = 在 { $building } 栋的具体什么位置？（例如：大堂、2楼走廊、B梯）
repair-place-invalid = 请用 { $min } 到 { $max } 个字描述位置。
repair-location = { $building } · { $place }
repair-ask-category = 📍 { $place }
    请选择问题类别：
repair-ask-description = 出了什么问题？请简单描述（至少 5 个字）。也可以发送带文字说明的照片。
repair-ask-urgency = 情况紧急吗？
repair-btn-normal = 🙂 一般
repair-btn-urgent = 🚨 紧急：漏水、停电、困梯、燃气味
repair-emergency-phone = 🚨 如有人身危险或闻到燃气味，请立即拨打紧急电话：{ $phone }
repair-ask-visit = 您希望什么时间上门？
repair-visit-today-am = 今天上午
repair-visit-today-pm = 今天下午
repair-visit-tomorrow-am = 明天上午
repair-visit-tomorrow-pm = 明天下午
repair-visit-any = 任何时间
repair-summary-title = <b>🛠 您的报修</b>
repair-created = ✅ 您的报修 <b>#{ $number }</b> 已登记。
    我们将在 { $deadline } 前回复您。可在“📋 我的报修/投诉”中查看进度。
repair-created-urgent = 🚨 您的紧急报修 <b>#{ $number }</b> 已登记。
    我们将在 { $deadline } 前回复您。
    如有人身危险或闻到燃气味，请立即拨打紧急电话：{ $phone }

## 投诉

complaint-ask-category = 您要投诉哪方面的问题？
complaint-ask-description = 发生了什么？请告诉我们（至少 5 个字）。也可以发送带文字说明的照片。
complaint-ask-call = 需要我们给您打电话沟通吗？
complaint-btn-call-yes = 📞 需要，请给我打电话
complaint-btn-call-no = ✉ 不用，书面回复即可
complaint-summary-title = <b>📣 您的投诉</b>
complaint-created = ✅ 您的投诉 <b>#{ $number }</b> 已登记。
    我们将在 { $count } 小时内、{ $deadline } 前答复您。

## 我的请求

myreq-empty = 您还没有任何请求。可通过菜单报修或投诉。
myreq-list-title = <b>📋 我的报修/投诉</b>
myreq-btn-open = #{ $number } · { $status }
myreq-detail = <b>#{ $number }</b> · { $kind } · { $category }
    状态：<b>{ $status }</b>
    📍 { $place }
    🕒 提交于 { $created }
    📝 { $description }
myreq-photos = 📷 { $count } 张照片
myreq-scheduled = 📅 计划上门日期：{ $day }
myreq-history-title = <b>处理记录</b>
myreq-history-line = { $at } · { $what }
myreq-ev-created = 已收到请求
myreq-ev-assigned = 工作人员已受理
myreq-ev-started = 已派工给维修人员
myreq-ev-resolved = 已标记为处理完成
myreq-ev-resolved-note = 已标记为处理完成：{ $text }
myreq-ev-closed = 已关闭
myreq-ev-reopened = 已重新打开
myreq-ev-cancelled = 已取消
myreq-ev-rated = 您的评价：{ $stars }
myreq-ev-rating-comment = 您的评价留言：{ $text }
myreq-ev-comment = 您的留言：{ $text }
myreq-ev-photo = 您发送了一张照片
myreq-ev-reply = 工作人员回复：{ $text }
myreq-ev-reply-photo = 工作人员发送了一张照片
myreq-ev-rescheduled = 上门日期改为 { $day }
myreq-btn-comment = 💬 补充留言
myreq-btn-photo = 📷 补充照片
myreq-btn-cancel = ✖ 取消此请求
myreq-btn-list = ⬅ 我的报修/投诉
myreq-ticket-usage = 请发送请求编号，例如 /ticket 12
myreq-not-found = 在您的报修/投诉中找不到该编号。请打开“📋 我的报修/投诉”查看。
myreq-ask-comment = 请输入对 #{ $number } 的补充留言（也可以发送照片）。
myreq-ask-photo = 请发送 #{ $number } 的照片（可附文字说明）。
myreq-comment-expected = 请发送文字或照片。
myreq-comment-too-long = 内容太长了，请控制在 { $limit } 个字以内。
myreq-comment-added = ✅ 已补充到 #{ $number }，工作人员会看到。
myreq-cancel-confirm = 确定取消请求 #{ $number } 吗？取消后无法恢复。
myreq-btn-cancel-yes = 确定取消
myreq-btn-cancel-no = 不取消
myreq-cancelled = 请求 #{ $number } 已取消。
myreq-fixed-rate = 感谢确认！#{ $number } 已关闭。请为我们的服务打分：
myreq-not-fixed = 非常抱歉。#{ $number } 已重新打开，并已通知工作人员。请问还有什么问题？
myreq-ask-rating-comment = 感谢您的 { $stars } 评价，已为您保存！还有什么想说的吗？请输入留言，或点击“跳过”。
myreq-btn-skip = ⏭ 跳过
myreq-rated = 感谢您的反馈！
myreq-rating-comment-expected = 请输入留言，或点击“跳过”。
