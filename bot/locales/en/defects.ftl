# A command or a menu button in the middle of a report (handlers/flow_guard.py).
flow-leave-ask = Leave your unfinished report? What you have entered so far will be lost.
flow-btn-keep = Keep writing
flow-btn-leave = Leave it
