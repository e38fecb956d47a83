# A command or a menu button in the middle of a report (handlers/flow_guard.py).
flow-leave-ask = Leave your unfinished report? What you have entered so far will be lost.
flow-btn-keep = Keep writing
flow-btn-leave = Leave it

# /ticket N posts a copy of the card; copies are not kept up to date.
staffcmd-copy-buttons-on-card = <i>A copy as of now — the buttons are on the ticket's card. Reply to this message to write to the owner.</i>

# Reopening a closed ticket.
ticket-error-forbidden-manager-reopens = #{ $number } is closed — only a manager may reopen a closed ticket.

# An old "Is it fixed?" pressed after the ticket moved on.
myreq-fixed-stale-open = Thank you — #{ $number } is being worked on again. We will ask you once more when it is done.
myreq-fixed-stale-closed = Thank you — #{ $number } is already closed. If the problem is back, please report it as a new repair.

# What the owner hears between "registered" and "done" (handlers/cards.py).
notify-taken = 👋 Request <b>#{ $number }</b> has been taken by our service desk; we are on it.
notify-dispatched = 🧰 Request <b>#{ $number }</b>: a technician has been sent and will contact you.
notify-reopened-by-staff = 🔄 We have reopened request <b>#{ $number }</b>: { $reason }. We will let you know when it is done.
notify-reopened-by-staff-no-reason = 🔄 We have reopened request <b>#{ $number }</b> and are working on it again. We will let you know when it is done.

# Staff in their private chat with the bot (/start, /help, /queue, /orders).
staff-private-head = 👷 Hello { $name }! Your work orders:
staff-private-order = • <b>#{ $number }</b> { $category } · { $status } · { $place }
staff-private-done = ✅ Done #{ $number }
staff-private-help = Press Done when a job is finished (or send /done N and what you did). Everything else — /queue, /ticket N, the cards — happens in the staff group; /help there lists the commands; /language sets your own language. If you also own a flat here, send /register.
staff-private-none = Nothing is assigned to you right now. New work orders arrive in this chat. The staff group has the queue (/queue) and the commands (/help there). If you also own a flat here, send /register.
ticket-error-forbidden-role = #{ $number }: your role does not allow this step — an agent or the manager can do it.

# Plain words outside any flow (handlers/fallback.py): offered as a request.
fallback-offer = You wrote: “{ $text }”. Shall I pass it on? Choose what it is — I will use your words as the description.
fallback-btn-repair = 🛠 Report it as a repair
fallback-btn-complaint = 📝 Make it a complaint
fallback-btn-callback = 📞 Have someone call me about it
fallback-offer-stale = This question is no longer open — please write again, or use the menu.

# A file that is not a picture at the photo step (handlers/ticket_form.py).
form-photo-not-image = Sorry, I can only take pictures here (a photo, or a JPEG/PNG sent as a file). Please send a picture, or press the button when you are done.

# Registration checked against the register, and a summary before it goes to staff
# (handlers/onboarding.py).
onb-ask-building-choose = Which building do you live in? Choose it below (or type it).
onb-ask-unit-in = Building { $building }. What is your unit number? (for example: 1201)
onb-building-unknown = We have no building “{ $building }” in this estate. Please choose your building below.
onb-unit-unknown = Unit { $unit } is not in our register for building { $building }. Please check the number and type it again — or, if it is right, press the button and the office will check it.
onb-btn-unit-right = ✅ { $unit } is right
onb-summary = Please check your request before it goes to the management office:
    Building: { $building }
    Unit: { $unit }
    Name: { $name }
    Phone: { $phone }
onb-summary-unit-unlisted = ⚠️ This unit is not in our register yet: the office will check it.
onb-btn-send = 📨 Send
onb-btn-change = ✏️ Change

# Registration cards: creating a unit is a choice, a name mismatch needs a second press.
staff-pending-create-unit = 🏗 Add unit { $unit } and approve
staff-pending-unit-missing = This unit is not in the register: use “Add unit and approve” if it really exists, or reject.
staff-pending-confirm-ask = ⚠️ The name { $name } is not on the register for this unit. Approving shows them its fees and requests. Press “Yes, approve” to go ahead.
staff-pending-confirm = ⚠️ Yes, approve { $unit } although the name differs
staff-pending-back = ↩️ Back
staff-lang-choose = Your own language — for this private chat, your work orders and the notes only you see when you press a button. The staff group stays in { $group }.
staff-lang-changed = Your language is now English (private chat, work orders, button notes). The staff group stays in { $group }.
fallback-sticker = 🙂 Thanks! I can only read words and photos, though — tell me what you need in a few words, or pick from the menu.
fallback-voice = 🎤 Sorry, I cannot listen to voice messages. Please type what you need (a few words are enough), or pick from the menu.
fallback-location = 📍 Thanks, but I do not need a location: your unit is already on record. Tell me what you need in a few words, or pick from the menu.
