# Command menus set with setMyCommands (owners in private chats, staff in the group).
cli-cmd-start = Start or show the main menu
cli-cmd-help = What this bot can do
cli-cmd-cancel = Cancel what you are doing
cli-cmd-language = Change the language
cli-cmd-staff-help = Staff commands
cli-cmd-queue = Open requests
cli-cmd-ticket = Show a request: /ticket N
cli-cmd-assign = Assign: /assign N @user|me
cli-cmd-reply = Reply to the owner: /reply N text
cli-cmd-resolve = Mark resolved: /resolve N [text]
cli-cmd-close = Close: /close N
cli-cmd-pending = Registrations waiting for approval
cli-cmd-staff = Staff list, /staff add, /staff remove
cli-cmd-bind = Make this group the staff group
