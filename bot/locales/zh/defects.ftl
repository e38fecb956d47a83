# A command or a menu button in the middle of a report (handlers/flow_guard.py).
flow-leave-ask = 要放弃尚未提交的报修/投诉吗？已填写的内容将会丢失。
flow-btn-keep = 继续填写
flow-btn-leave = 放弃

# /ticket N posts a copy of the card; copies are not kept up to date.
staffcmd-copy-buttons-on-card = <i>此为当前副本，操作按钮在工单卡片上。回复本消息即可给业主留言。</i>

# Reopening a closed ticket.
ticket-error-forbidden-manager-reopens = #{ $number } 已关闭，只有主管可以重新打开已关闭的工单。

# An old "Is it fixed?" pressed after the ticket moved on.
myreq-fixed-stale-open = 谢谢！#{ $number } 正在重新处理中，处理完毕后我们会再次向您确认。
myreq-fixed-stale-closed = 谢谢！#{ $number } 已经关闭。如问题再次出现，请重新报修。

# What the owner hears between "registered" and "done" (handlers/cards.py).
notify-taken = 👋 工单 <b>#{ $number }</b> 已由客服受理，我们正在处理。
notify-dispatched = 🧰 工单 <b>#{ $number }</b>：已派维修人员，稍后会与您联系。
notify-reopened-by-staff = 🔄 我们已重新打开工单 <b>#{ $number }</b>：{ $reason }。处理完毕后会通知您。
notify-reopened-by-staff-no-reason = 🔄 我们已重新打开工单 <b>#{ $number }</b>，正在重新处理，处理完毕后会通知您。

# Staff in their private chat with the bot (/start, /help, /queue, /orders).
staff-private-head = 👷 { $name }，您好！您的派工单：
staff-private-order = • <b>#{ $number }</b> { $category } · { $status } · { $place }
staff-private-done = ✅ 完工 #{ $number }
staff-private-help = 完工后请点“完工”（或发送 /done 编号 和处理说明）。其他操作（/queue、/ticket 编号、工单卡片）请在员工群进行，在群里发送 /help 查看命令；发送 /language 设置您本人的语言。如您本人也是本小区业主，请发送 /register。
staff-private-none = 目前没有指派给您的工单，新的派工单会发到这里。工单队列（/queue）和命令（群里的 /help）在员工群。如您本人也是本小区业主，请发送 /register。
ticket-error-forbidden-role = #{ $number }：您的岗位不能进行此操作，请客服或主管处理。

# 流程之外直接发来的文字（handlers/fallback.py）：可转为请求。
fallback-offer = 您发来：“{ $text }”。需要我为您转交吗？请选择类型，您的文字将作为问题描述。
fallback-btn-repair = 🛠 作为报修提交
fallback-btn-complaint = 📝 作为投诉提交
fallback-btn-callback = 📞 请客服回电给我
fallback-offer-stale = 这个问题已不再有效，请重新发送，或使用菜单。

# 上传照片这一步收到的不是图片文件（handlers/ticket_form.py）。
form-photo-not-image = 抱歉，这里只能接收图片（照片，或以文件形式发送的 JPEG/PNG）。请发送图片，发完后点下方按钮。

# 登记申请按名册核对楼栋和房号，发送前先确认（handlers/onboarding.py）。
onb-ask-building-choose = 请问您住在哪一栋？请在下方选择（也可以直接输入）。
onb-ask-unit-in = { $building } 栋。请问您的房号是多少？（例如：1201）
onb-building-unknown = 本小区没有“{ $building }”这一栋。请在下方选择您所在的楼栋。
onb-unit-unknown = 业主名册中 { $building } 栋没有 { $unit } 房号。请核对后重新输入；如确认无误，请点下方按钮，由物业核实。
onb-btn-unit-right = ✅ { $unit } 没错
onb-summary = 提交物业服务中心前，请核对您的申请：
    楼栋：{ $building }
    房号：{ $unit }
    姓名：{ $name }
    电话：{ $phone }
onb-summary-unit-unlisted = ⚠️ 该房号尚未在业主名册中，物业会进行核实。
onb-btn-send = 📨 发送
onb-btn-change = ✏️ 修改

# 登记申请卡片：新建房号须明确选择；姓名不一致须再次确认。
staff-pending-create-unit = 🏗 新增房号 { $unit } 并通过
staff-pending-unit-missing = 该房号不在业主名册中：如确实存在，请点“新增房号并通过”，否则请拒绝。
staff-pending-confirm-ask = ⚠️ 申请人姓名 { $name } 与名册中该房号的业主不一致。通过后其可查看该房号的费用和报修记录。确认请点“确认通过”。
staff-pending-confirm = ⚠️ 确认通过 { $unit }（姓名不一致）
staff-pending-back = ↩️ 返回
staff-lang-choose = 您本人的语言：用于与机器人的私聊、派工单，以及点按钮时仅您可见的提示。员工群仍使用{ $group }。
staff-lang-changed = 您的语言已设为中文（私聊、派工单、按钮提示）。员工群仍使用{ $group }。
fallback-sticker = 🙂 谢谢！不过我只能读懂文字和照片，请用几个字告诉我您需要什么，或从菜单中选择。
fallback-voice = 🎤 抱歉，我无法收听语音消息。请用文字输入您的需求（几个字即可），或从菜单中选择。
fallback-location = 📍 谢谢，不过我不需要位置信息：您的房号已登记在案。请用几个字告诉我您需要什么，或从菜单中选择。
