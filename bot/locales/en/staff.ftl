staff-refused = Sorry, only the management office's staff can do this here.
staff-bind-private = Please send /bind in the staff group chat, not here.
staff-bind-done = This group is now the staff group of { $estate }.
staff-bind-already = This group already is the staff group of { $estate }.
staff-bind-pending = { $count ->
    [one] There is one registration request waiting: send /pending to see it.
   *[other] There are { $count } registration requests waiting: send /pending to see them.
}
staff-bind-open-tickets = { $count ->
    [one] One request was opened before this group was bound: its card is posted below. /queue lists open requests.
   *[other] { $count } requests were opened before this group was bound: their cards are posted below. /queue lists open requests.
}
staff-managers-only = Sorry, only a manager (or an admin) can change that. Ask your manager.
staff-bind-first = This group is not the staff group yet. An admin must send /bind here first.
staff-group-only = Please use this command in the staff group chat.
staff-list-header = <b>Active staff ({ $count })</b>
staff-list-item = • { $name } — { $role } — id { $user_id }{ $username }
staff-list-empty = No active staff yet. Add someone with /staff add.
staff-usage = Usage:
    /staff — list active staff
    /staff add USER_ID NAME ROLE — add (or reply to the person's message with /staff add NAME ROLE)
    /staff remove USER_ID — remove (or reply to their message with /staff remove)
    ROLE is agent, technician, cashier or manager (客服, 维修, 收费, 主管).
staff-bad-role = Unknown role "{ $role }". Use agent, technician, cashier or manager (客服, 维修, 收费, 主管).
staff-bad-name = The name must be between 1 and { $max } characters.
staff-bad-target = "{ $target }" is not a Telegram user id. Use the numeric id, or reply to the person's message with the command.
staff-unknown-username = I do not know who { $username } is: Telegram does not tell bots a user's id from the username. Reply to one of their messages with the command, or use their numeric user id.
staff-no-bots = Bots cannot be staff members.
staff-added = { $name } added as { $role }.
staff-removed = { $name } is no longer staff.
staff-not-staff = That person is not an active staff member.
staff-role-agent = agent
staff-role-technician = technician
staff-role-cashier = cashier
staff-role-manager = manager
staff-pending-card = <b>🆕 Registration request R{ $id }</b>
    Name: { $name }
    Unit: { $unit }
    Phone: { $phone }
staff-pending-unit-known = ✅ This unit is in the register.
staff-pending-unit-new = ⚠️ This unit is not in the register: only “Add unit and approve” adds it — check the number first.
staff-pending-approve = ✅ Approve
staff-pending-reject = ❌ Reject
staff-pending-none = No registration requests are waiting.
staff-pending-approved = ✅ Approved by { $staff }.
staff-pending-rejected = ❌ Rejected by { $staff }.
staff-pending-rejected-reason = Reason given to the applicant: { $reason }
staff-pending-reject-ask = ❌ { $staff }, why is request R{ $id } ({ $name }, { $unit }) rejected? Reply to this message with the reason — { $name } is told it — or reject without one.
staff-pending-reject-asked = Reply to the question below with the reason, or reject without one.
staff-pending-reject-plain = ❌ Reject without a reason
staff-pending-keep = ↩️ Do not reject
staff-pending-kept = Not rejected: the request still waits.
staff-pending-reason-bad = Please write the reason in words (at most { $max } characters), as a reply to the question.
staff-pending-already = Already decided by { $staff }.
staff-pending-gone = This request no longer exists.
staff-emergency-current = Emergency phone shown to owners who report an urgent repair: { $phone }
staff-emergency-none = No emergency phone is set. Managers can set one with /emergency NUMBER.
staff-emergency-set = Emergency phone set to { $phone }. Owners reporting an urgent repair will see it.
staff-emergency-cleared = Emergency phone cleared.
staff-emergency-usage = Usage: /emergency NUMBER (digits, spaces, + ( ) -), or /emergency off to clear it.

# The outbox could not write to a staff member in private (never pressed Start, or blocked the bot).
outbox-staff-unreachable = ⚠️ A private message to { $name } was not delivered (Telegram: “{ $error }”). Ask { $name } to open a private chat with the bot and press Start — Telegram does not let bots write first.
outbox-staff-unreachable-ticket = ⚠️ The message about <b>#{ $number }</b> to { $name } was not delivered (Telegram: “{ $error }”). Ask { $name } to open a private chat with the bot and press Start — Telegram does not let bots write first — then send it again with /dispatch { $number }.

# Registration cards: whose flat the register says the claimed unit is (names only, no phones).
staff-pending-holders = 🏠 On the register for this unit:
staff-pending-holder = • { $name } ({ $status })
staff-pending-name-matches = ✅ The name matches the register.
staff-pending-name-differs = ⚠️ The name given ({ $name }) is not on the register for this unit. Approving links this person to the unit and shows them its fees and requests: check with the registered owner first.
staff-pending-again = 🔁 Applying again: an earlier request from this person was rejected.
staff-pending-approved-differs = ⚠️ The name differs from the register: make sure the registered owner agrees.
staff-owner-pending = pending
staff-owner-verified = verified
staff-owner-rejected = rejected
staff-owner-unreachable = unreachable
staff-pending-superseded = This card is about an earlier request, already decided: the person has applied again. Use the newest card, or /pending.
outbox-owner-unreachable = ⚠️ The message about <b>#{ $number }</b> to the owner { $name } was not delivered (Telegram: “{ $error }”) — they may have blocked the bot. Please call them instead (📞 Call owner on the card).
