staff-refused = 抱歉，只有物业服务中心的员工可以在这里进行此操作。
staff-bind-private = 请在员工群里发送 /bind，而不是在这里。
staff-bind-done = 本群已设为 { $estate } 的员工群。
staff-bind-already = 本群已经是 { $estate } 的员工群。
staff-bind-pending = 有 { $count } 条登记申请待审核，发送 /pending 查看。
staff-bind-open-tickets = 绑定本群之前已有 { $count } 条未结工单，卡片将在下面补发。发送 /queue 查看全部未结工单。
staff-managers-only = 抱歉，只有主管（或管理员）可以修改此项，请联系主管。
staff-bind-first = 本群还不是员工群，需要管理员先在本群发送 /bind。
staff-group-only = 请在员工群中使用此命令。
staff-list-header = <b>在职员工（{ $count } 人）</b>
staff-list-item = • { $name } — { $role } — id { $user_id }{ $username }
staff-list-empty = 还没有在职员工。请用 /staff add 添加。
staff-usage = 用法：
    /staff — 查看在职员工
    /staff add 用户ID 姓名 角色 — 添加（或回复此人的消息：/staff add 姓名 角色）
    /staff remove 用户ID — 移除（或回复此人的消息：/staff remove）
    角色：客服、维修、收费、主管（agent, technician, cashier, manager）。
staff-bad-role = 未知角色“{ $role }”。请使用：客服、维修、收费、主管（agent, technician, cashier, manager）。
staff-bad-name = 姓名长度须为 1 到 { $max } 个字。
staff-bad-target = “{ $target }”不是 Telegram 用户 ID。请使用数字 ID，或回复此人的消息并发送命令。
staff-unknown-username = 不认识 { $username }：Telegram 不会告诉机器人用户名对应的 ID。请回复此人的任意一条消息并发送命令，或使用其数字用户 ID。
staff-no-bots = 机器人不能成为员工。
staff-added = 已添加 { $name }，角色：{ $role }。
staff-removed = { $name } 已不再是员工。
staff-not-staff = 此人不是在职员工。
staff-role-agent = 客服
staff-role-technician = 维修
staff-role-cashier = 收费
staff-role-manager = 主管
staff-pending-card = <b>🆕 登记申请 R{ $id }</b>
    姓名：{ $name }
    房号：{ $unit }
    电话：{ $phone }
staff-pending-unit-known = ✅ 该房号在业主名册中。
staff-pending-unit-new = ⚠️ 该房号不在名册中：只有点“新增房号并通过”才会新增该房号，请先核对房号。
staff-pending-approve = ✅ 通过
staff-pending-reject = ❌ 拒绝
staff-pending-none = 没有待审核的登记申请。
staff-pending-approved = ✅ 已由 { $staff } 审核通过。
staff-pending-rejected = ❌ 已由 { $staff } 拒绝。
staff-pending-rejected-reason = 已告知申请人的原因：{ $reason }
staff-pending-reject-ask = ❌ { $staff }，登记申请 R{ $id }（{ $name }，{ $unit }）的拒绝原因是什么？请回复本条消息说明原因（将告知 { $name }），或不说明原因直接拒绝。
staff-pending-reject-asked = 请回复下方的提问说明原因，或不说明原因直接拒绝。
staff-pending-reject-plain = ❌ 不说明原因直接拒绝
staff-pending-keep = ↩️ 暂不拒绝
staff-pending-kept = 未拒绝：该申请仍在等待审核。
staff-pending-reason-bad = 请用文字说明原因（不超过 { $max } 个字符），并回复提问消息。
staff-pending-already = 已由 { $staff } 处理过。
staff-pending-gone = 该申请已不存在。
staff-emergency-current = 业主报紧急维修时看到的紧急电话：{ $phone }
staff-emergency-none = 尚未设置紧急电话。主管可用 /emergency 号码 设置。
staff-emergency-set = 紧急电话已设为 { $phone }，业主报紧急维修时会看到。
staff-emergency-cleared = 紧急电话已清除。
staff-emergency-usage = 用法：/emergency 号码（数字、空格、+ ( ) -），或 /emergency off 清除。

# The outbox could not write to a staff member in private (never pressed Start, or blocked the bot).
outbox-staff-unreachable = ⚠️ 发给 { $name } 的私聊消息未能送达（Telegram：“{ $error }”）。请 { $name } 先私聊机器人并点“开始”——Telegram 不允许机器人主动发起对话。
outbox-staff-unreachable-ticket = ⚠️ 发给 { $name } 的 <b>#{ $number }</b> 消息未能送达（Telegram：“{ $error }”）。请 { $name } 先私聊机器人并点“开始”（Telegram 不允许机器人主动发起对话），然后用 /dispatch { $number } 重新发送。

# Registration cards: whose flat the register says the claimed unit is (names only, no phones).
staff-pending-holders = 🏠 名册中该房号的业主：
staff-pending-holder = • { $name }（{ $status }）
staff-pending-name-matches = ✅ 姓名与名册一致。
staff-pending-name-differs = ⚠️ 申请人填写的姓名（{ $name }）与名册中该房号的业主不一致。通过后此人将绑定该房号，可查看其物业费和报修记录：请先与登记业主核实。
staff-pending-again = 🔁 再次申请：此人之前的申请未获通过。
staff-pending-approved-differs = ⚠️ 申请人姓名与名册不一致，请确认登记业主知情同意。
staff-owner-pending = 待审核
staff-owner-verified = 已核实
staff-owner-rejected = 已拒绝
staff-owner-unreachable = 无法联系
staff-pending-superseded = 这张卡片对应的是此前已处理的申请，此人已重新申请。请使用最新的卡片，或发送 /pending 查看。
outbox-owner-unreachable = ⚠️ 发给业主 { $name } 的 <b>#{ $number }</b> 消息未能送达（Telegram：“{ $error }”），业主可能已屏蔽机器人。请改为电话联系（卡片上的「📞 联系业主」）。
