menu-repair = 🛠 Report a repair
    .aliases = repair, repairs, report repair, report a repair, fix, broken, leak, maintenance, /repair, 报修, 维修, 报修服务
menu-complaint = 📣 Make a complaint
    .aliases = complaint, complain, make a complaint, file a complaint, /complaint, 投诉, 我要投诉, 意见
menu-fees = 💳 My fees
    .aliases = fees, my fees, fee, bill, bills, arrears, payment, pay, /fees, 物业费, 查询物业费, 缴费, 欠费, 费用
menu-callback = 📞 Book a call-back
    .aliases = call back, callback, call-back, book a call back, book a callback, call me, /callback, 回电, 预约回电, 给我打电话
menu-requests = 📋 My requests
    .aliases = requests, my requests, my tickets, tickets, status, /requests, 我的报修, 我的投诉, 我的报修/投诉, 我的请求, 进度
menu-language = 🌐 Language
    .aliases = language, lang, change language, english, chinese, /language, 语言, 切换语言, 中文, 英文
menu-greeting = Hello, { $name }! How can we help you today? Choose an option below.
menu-unknown = Sorry, I did not understand that. Please choose an option from the menu below.
menu-status-pending = Your registration request is still waiting for the management office to review it. We will message you as soon as it is decided.
menu-status-unregistered = You are not registered yet. Please send /start to register first.

help-owner = I am the front door of your property management office. From the menu you can:
    • report a repair, with photos
    • make a complaint
    • check your fees and arrears
    • book a call-back from the office
    • follow your requests
    • change the language
    Send /cancel at any time to leave what you are doing.
help-unregistered = I am the front door of your property management office. Send /start to register with your phone number; after that you can report repairs, make complaints and check your fees.
help-staff = <b>Staff group</b>
    /callbacks [today|week] — booked call-backs and call-back tasks (回访): Reached / Not reached / Reschedule
    /survey quarter — preview and send this quarter's survey sample (managers)
    /survey due — post-service surveys waiting to go out, to send now (managers)
    /survey results [YYYY-Qn] — satisfaction per item and on average
    /emergency [NUMBER] — emergency phone for urgent repairs (managers set it)
    /pending — registration requests waiting for a decision
    /staff — list, add or remove staff
    /language — your own language (private chat, work orders, button notes)
    /bind — make this group the staff group (admins)

lang-choose = Please choose your language:
lang-english = English
lang-chinese = 中文
lang-changed = Language set to English.
