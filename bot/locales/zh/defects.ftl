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
