# 命令菜单（setMyCommands）：私聊给业主，群里给员工。
cli-cmd-start = 开始 / 显示主菜单
cli-cmd-help = 机器人能做什么
cli-cmd-cancel = 取消当前操作
cli-cmd-language = 切换语言
cli-cmd-staff-help = 员工命令一览
cli-cmd-queue = 待处理工单
cli-cmd-ticket = 查看工单：/ticket 编号
cli-cmd-assign = 派单：/assign 编号 @用户|me
cli-cmd-reply = 回复业主：/reply 编号 内容
cli-cmd-resolve = 标记已处理：/resolve 编号 [说明]
cli-cmd-close = 关闭工单：/close 编号
cli-cmd-pending = 待审核的业主登记
cli-cmd-staff = 员工名单、/staff add、/staff remove
cli-cmd-bind = 将本群设为员工群
