menu-repair = 🛠 报修
    .aliases = 维修, 报修服务, 我要报修, 坏了, 漏水, /repair, repair, report repair, report a repair, fix, broken
menu-complaint = 📣 投诉
    .aliases = 我要投诉, 意见, 投诉建议, /complaint, complaint, complain, make a complaint
menu-fees = 💳 查询物业费
    .aliases = 物业费, 查物业费, 缴费, 欠费, 费用, 账单, /fees, fees, my fees, bill, arrears
menu-callback = 📞 预约回电
    .aliases = 回电, 给我打电话, 预约电话, 来电, /callback, call back, callback, book a call back, call me
menu-requests = 📋 我的报修/投诉
    .aliases = 我的报修, 我的投诉, 我的请求, 进度, 查进度, /requests, my requests, requests, my tickets
menu-language = 🌐 语言
    .aliases = 切换语言, 中文, 英文, 英语, /language, language, lang, change language
menu-greeting = { $name }，您好！请问有什么可以帮您？请在下方菜单中选择。
menu-unknown = 抱歉，没有看懂您的意思。请在下方菜单中选择需要的服务。
menu-status-pending = 您的登记申请正在等待物业服务中心审核，审核结果出来后我们会第一时间通知您。
menu-status-unregistered = 您还没有登记。请先发送 /start 完成登记。

help-owner = 我是物业服务中心的线上前台。通过菜单您可以：
    • 报修（可附照片）
    • 投诉
    • 查询物业费和欠费
    • 预约物业回电
    • 查看报修/投诉进度
    • 切换语言
    任何时候发送 /cancel 都可以退出当前操作。
help-unregistered = 我是物业服务中心的线上前台。请发送 /start 用手机号完成登记，之后即可报修、投诉和查询物业费。
help-staff = <b>员工群</b>
    /callbacks [today|week] — 预约回电和回访任务：已联系上 / 未联系上 / 改期
    /survey quarter — 预览并发送本季度抽样调查（主管）
    /survey due — 待发送的回访问卷，可立即发送（主管）
    /survey results [YYYY-Qn] — 各项及平均满意度
    /emergency [号码] — 紧急维修电话（主管可设置）
    /pending — 待审核的登记申请
    /staff — 查看、添加或移除员工
    /language — 您本人的语言（私聊、派工单、按钮提示）
    /bind — 将本群设为员工群（管理员）

lang-choose = 请选择语言 / Please choose your language:
lang-english = English
lang-chinese = 中文
lang-changed = 语言已切换为中文。
