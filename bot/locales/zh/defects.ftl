# A command or a menu button in the middle of a report (handlers/flow_guard.py).
flow-leave-ask = 要放弃尚未提交的报修/投诉吗？已填写的内容将会丢失。
flow-btn-keep = 继续填写
flow-btn-leave = 放弃
