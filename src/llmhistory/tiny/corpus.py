"""A synthetic customer-support corpus, generated from templates with a seed (nothing downloaded).

The tiny model of the book is trained on text written by this module: support tickets labelled
``Refund``, ``Shipping`` or ``Account``; few-shot label prompts built by
:func:`llmhistory.concepts.prompts.build_label_prompt` and followed by the right label; short
``Customer: ... / Agent: ...`` exchanges; policy snippets and case evidence with order ids such as
``A10234`` and scan times such as ``09:32 UTC``.

Tickets come from a small grammar (``_GRAMMAR``, ``_FRAMES``): for each label, families of
phrases that say the same request in different words (direct requests, indirect questions,
complaints, statements of a problem, very short notes), combined with each other, with neutral
context ("I ordered last week") and with greetings and sign-offs in polite and angry voices.
Amounts (``$64.98``, ``32,50 €``, ``20 quid``) and order numbers (``#448812``, ``ORD-20931``,
``7730-1182``) come in many shapes. A share of the messages is then written the way people type:
all lower case, no final punctuation, no apostrophes, slang (``u``, ``pls``), a typo or two.
Hard cases are part of the grammar: refunds that mention delivery, shipping questions that
mention money, account settings that mention an address or a card. Each message is labelled by
what the customer asks the shop to do (the rule of ``data/README.md``).

:func:`support_split` guarantees that no message appears in both splits and that the held-out
messages do not depend on the size of the training split; :func:`training_documents` only ever
uses the training split.

>>> split = support_split(n_train=50, n_held_out=10, seed=0)
>>> len(split.train), len(split.held_out), split.overlap()
(50, 10, 0)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from llmhistory._validate import (
    check_choice,
    check_instance,
    check_int,
    check_positive_int,
    check_str,
)
from llmhistory.concepts.prompts import (
    SUPPORT_EXAMPLES,
    SUPPORT_LABELS,
    build_label_prompt,
    chat_prompt,
)

__all__ = [
    "LABELS",
    "SupportSplit",
    "Ticket",
    "generate_dialogues",
    "generate_tickets",
    "label_document",
    "policy_snippets",
    "support_split",
    "training_documents",
]

#: The three labels of the running example, in prompt order.
LABELS: tuple[str, ...] = SUPPORT_LABELS

#: Shares of the training documents: label prompts, bare pairs, exchanges, policy lines.
_MIX = (0.55, 0.22, 0.16, 0.07)
#: Share of the label prompts whose three shots are drawn from the training tickets.
_DRAWN_SHOTS = 2 / 3

#: Probabilities of the ways people type a message (each drawn independently per message).
_NOISE = {
    "lower": 0.25,  # all lower case
    "no_end": 0.25,  # no final punctuation
    "shout": 0.08,  # "!!", "??" or "!!!" at the end
    "no_apostrophe": 0.15,  # dont, cant, wheres
    "no_comma": 0.10,
    "slang": 0.15,  # u, ur, pls, thx, ...
    "typo": 0.20,  # one or two letters swapped, dropped or doubled
    "caps": 0.03,  # ALL CAPS
    "context": 0.20,  # a neutral sentence before or after the request
}

# --- the grammar of customer messages ------------------------------------------------------------
# Each entry is a phrase family: ``{name}`` inside a phrase is replaced by a phrase of the family
# ``name`` (recursively), or by a generated value (order ids, amounts, counts; see _VALUES).
# Phrases are written in lower case but for proper nouns; sentence starts are capitalised later.

_GRAMMAR: dict[str, tuple[str, ...]] = {
    # ---- shared vocabulary
    "item": (
        "blue jacket", "coffee maker", "desk lamp", "phone case", "pair of boots", "laptop stand",
        "yoga mat", "backpack", "water bottle", "wool scarf", "rain coat", "kitchen scale",
        "headphones", "toaster", "winter hat", "office chair", "bed sheets", "travel mug",
        "camera bag", "running shoes", "picture frame", "tea kettle", "wall clock", "garden hose",
        "dress shirt", "phone charger", "table lamp", "cooking pot", "floor rug", "sofa cushion",
        "hoodie", "jeans", "sneakers", "sandals", "watch", "bike helmet", "vacuum cleaner",
        "microwave", "frying pan", "knife set", "duvet", "pillow", "curtains", "bookshelf",
        "printer", "keyboard", "mouse", "monitor", "tablet", "speaker", "baby stroller",
        "car seat", "board game", "puzzle", "perfume", "face cream", "shampoo", "dog bed",
        "cat tree", "suitcase", "umbrella", "sunglasses", "necklace", "ring", "t-shirt", "skirt",
        "coat", "gloves", "socks", "trousers", "lamp", "kettle", "fridge magnet", "drill",
    ),
    "thing": (
        "the {item}", "the {item}", "my {item}", "my order", "order {order}", "this order", "it",
        "the {item} I ordered", "the {item} from order {order}", "my last order", "the item",
        "the product", "my purchase", "the {item} I bought {when}",
    ),
    "parcel": (
        "order", "order", "package", "package", "parcel", "parcel", "delivery", "shipment", "box",
        "{item}", "stuff", "order {order}", "package {order}", "items", "new {item}",
    ),
    "when": (
        "last week", "yesterday", "two weeks ago", "{n} days ago", "on {day}", "last {day}",
        "a month ago", "three weeks ago", "on the {nth}", "{n} days ago", "earlier this week",
        "last month", "ten days ago", "a week ago", "this morning",
    ),
    "nth": ("1st", "2nd", "3rd", "4th", "5th", "8th", "10th", "12th", "15th", "21st", "28th"),
    "day": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "city": (
        "Denver", "Austin", "Boston", "Seattle", "Chicago", "Miami", "Portland", "Dallas",
        "Phoenix", "Atlanta", "Detroit", "Toronto", "Leeds", "Dublin", "Lyon", "Madrid", "Berlin",
        "Glasgow", "Cardiff", "Oslo", "Vienna", "Perth", "Calgary", "Naples", "Porto",
    ),
    "country": (
        "Canada", "Mexico", "Germany", "France", "Spain", "Italy", "the UK", "Ireland", "Norway",
        "Australia", "Japan", "Brazil", "Poland", "the Netherlands", "Sweden", "Austria",
        "Scotland", "Portugal", "Belgium", "Denmark", "Greece", "the US", "New Zealand",
    ),
    "carrier": (
        "the courier", "the driver", "the delivery guy", "NorthPost", "ParcelGo", "FastShip",
        "the postman", "the delivery company", "your courier", "the van driver",
    ),
    "name": (
        "Maria Lopez", "James Chen", "Ana Silva", "Tom Becker", "Priya Nair", "Sam Okafor",
        "Lena Novak", "Omar Haddad", "Kate Murphy", "Luis Garcia", "Mei Tanaka", "Ben Carter",
    ),
    "card": (
        "card", "credit card", "debit card", "Visa", "Mastercard", "PayPal", "bank account",
        "account", "bank", "statement", "Amex", "gift card",
    ),
    # ---- Refund: money back, a charge reversed, a refund's status
    "money": (
        "my money back", "my money back", "a refund", "a refund", "a full refund", "my cash back",
        "the money back", "a refund of {amount}", "my {amount} back", "the {amount} back",
        "a reimbursement", "a partial refund", "the money returned", "a refund on my {card}",
        "a refund for {thing}", "my money back for {thing}", "a refund to my {card}",
        "the money refunded", "what I paid back", "store credit instead",
    ),
    "r_want": (
        "I want {money}", "I'd like {money}", "I would like {money}", "I need {money}",
        "I want {money} please", "I expect {money}", "I'm asking for {money}",
        "please give me {money}", "I just want {money}", "I'd really like {money}",
        "I demand {money}", "I'd prefer {money}",
    ),
    "r_do": (
        "please refund me", "refund me please", "please refund {thing}", "refund {thing}",
        "please refund the {amount}", "refund the {amount} please", "reimburse me please",
        "please reverse the charge", "reverse the {amount} charge please",
        "please cancel the charge", "please take the charge off my {card}",
        "put the money back on my {card}", "please credit the {amount} back to my {card}",
        "pay me back", "give me back the {amount}", "send the money back to my {card}",
        "refund the difference", "refund the shipping fee too", "return my money",
        "please process my refund", "please issue a refund", "issue a refund to my {card}",
        "refund the extra charge", "reverse one of the payments",
    ),
    "r_ask": (
        "can I get {money}", "could I get {money}", "can I have {money}",
        "could you refund me", "can you refund {thing}", "can you reverse the charge",
        "could you please refund the {amount}", "would it be possible to get {money}",
        "can I return {thing} for {money}", "can I send {thing} back and get {money}",
        "can you give me {money}", "could you reverse the {amount} charge",
        "is it possible to get {money}", "can you refund the difference",
        "can I still get {money}",
        "will you refund me", "do I get {money}", "how do I get {money}",
        "how do I return {thing} for {money}", "can you pay me back",
    ),
    "r_status": (
        "where is my refund", "where's my refund", "when will I get my money back",
        "when do I get my money back", "how long does a refund take",
        "how long do refunds take to reach my {card}", "has my refund been processed",
        "when will the refund for {thing} arrive", "why haven't I got my refund yet",
        "is my refund on its way", "when will the {amount} be back on my {card}",
        "did you refund {thing} yet", "what's happening with my refund",
        "how many days until the money is back in my {card}", "have you sent the refund",
        "why did I only get back {amount}", "when is my money coming back",
        "did the refund for order {order} go through",
        "when will I get the money you owe me", "when do I get the {amount} you owe me",
        "when will the credit you promised show up",
        "what happened to the {amount} you said you'd pay back",
        "has the cancelled order been refunded yet", "when will the cancelled order be refunded",
        "has the refund been issued yet", "why does my refund still say processing",
        "is something holding up my refund", "my bank can't see the refund, has it been sent",
    ),
    "r_late": (
        "I'm still waiting for my refund", "my refund hasn't arrived", "still no refund",
        "the refund still hasn't shown up on my {card}", "I never got my refund for {thing}",
        "you still haven't paid me back", "the money is still not in my {card}",
        "my refund for {thing} is missing", "the refund you promised never came",
        "no sign of my refund", "I haven't seen the money back on my {card}",
        "it's been {n} days and no refund", "you said I'd be refunded {when} and nothing",
        "the refund for order {order} never reached my {card}",
        "I only got part of my money back", "the return was approved but no money yet",
        "still no credit on my {card} for the return",
        "you owe me {amount}", "I'm still owed {amount}",
        "the compensation you offered hasn't been paid",
        "you promised me {amount} back and I never got it",
        "the money for the cancelled order never came back",
        "the refund has been processing for {n} days", "my bank says no refund has come in",
        "it's been {n} weeks and the refund still isn't on my {card}",
        "I've waited {n} weeks for the money back on the {item}",
        "I'll dispute the charge with my bank if the money isn't back soon",
    ),
    "r_why": (
        "the {item} arrived {broken}", "the {item} is {broken}", "the {item} came {broken}",
        "the {item} stopped working after {n} days", "the {item} doesn't work",
        "the {item} broke after a week", "the {item} doesn't fit", "the {item} is too small",
        "the {item} is the wrong size", "the {item} is the wrong colour",
        "you sent the wrong {item}", "the {item} is nothing like the pictures",
        "the {item} is not as described", "the {item} is missing parts",
        "the {item} is missing a piece", "the {item} came without the {part}",
        "the {item} was past its expiry date", "I was sold a faulty {item}",
        "I got {n} items but paid for more",
        "you've taken {amount} twice from my {card}", "the payment went through twice",
        "I bought it by accident", "my {relative} used my {card} without asking",
        "there's a charge for {extra} that I didn't choose",
        "the {item} is fake", "the {item} was used when it arrived", "the quality is terrible",
        "I was charged twice for {thing}", "you charged me twice", "I got charged {amount} twice",
        "you charged my {card} twice", "I was billed {amount} for {thing} I never ordered",
        "there's a {amount} charge on my {card} I don't recognise",
        "there's an extra charge of {amount} on my {card}", "I was overcharged by {amount}",
        "I was overcharged", "my discount code didn't work and I paid full price",
        "the price dropped by {amount} right after I bought it",
        "I cancelled {thing} but you still charged me {amount}",
        "I cancelled {thing} {when} and was still charged", "I ordered the wrong one",
        "I returned the {item} {when}", "I sent the {item} back {when}",
        "I sent it back {when}", "I returned {thing} {when}",
        "you charged me for {n} items but sent fewer", "I changed my mind about the {item}",
        "I paid {amount} for a {item} that never worked", "the {item} was damaged in the box",
        "the return was approved {when}", "I was charged {amount} for a subscription I cancelled",
        "I paid {amount} for express shipping and it still came late",
        "I paid {amount} for delivery and the {item} arrived broken",
        "my card was charged but the order was cancelled",
    ),
    "part": ("lid", "charger", "cable", "manual", "remote", "handle", "batteries", "strap", "plug"),
    "extra": (
        "gift wrapping", "insurance", "a warranty", "a subscription",
        "an add-on", "a membership", "extra shipping",
    ),
    "broken": (
        "broken", "damaged", "cracked", "smashed", "faulty", "defective", "dented", "torn",
        "scratched", "in pieces", "ripped", "stained", "leaking", "dead", "bent",
    ),
    "r_short": (
        "refund please", "refund pls", "money back please", "i want a refund", "refund?",
        "refund me", "where's my refund", "I want my money back", "money back",
        "give me a refund", "need a refund", "refund my order", "still no refund",
        "refund for order {order}", "refund {amount}", "charged twice", "double charged",
        "I was charged twice", "wrong charge on my {card}", "refund status?",
        "reimbursement please", "money back now", "I want the money, not a replacement",
        "no replacement, just refund me", "undo the payment please",
    ),
    # ---- Shipping: where a parcel is, when, how or where it is delivered, options and price
    "s_where": (
        "where is my {parcel}", "where's my {parcel}", "where is order {order}",
        "any news on my {parcel}", "any update on order {order}",
        "what's happening with my {parcel}",
        "has my {parcel} shipped", "has order {order} been dispatched yet",
        "can you track my {parcel}", "when will my {parcel} arrive",
        "when will the {item} be delivered",
        "when is my delivery coming", "when does my {parcel} get here",
        "what's the ETA on my {parcel}",
        "is my {parcel} on the way", "has my {parcel} left the warehouse",
        "when will you ship {thing}",
        "why hasn't my {parcel} shipped yet", "why is my {parcel} late",
        "why is my delivery to {city} delayed", "where on earth is my {parcel}",
        "is there any update on my delivery", "what time slot is my delivery", "is it coming today",
        "can you check where my {parcel} is", "why is my {parcel} still in {city}",
        "where did my {parcel} go", "is order {order} still coming",
        "will my {parcel} arrive by {day}",
        "what time is the {vehicle} coming", "what time will {carrier} get here {day_ref}",
        "will the delivery be in the morning or the afternoon",
        "is there a time slot for the delivery {day_ref}", "when will {carrier} try again",
        "when will {carrier} come back", "is my {parcel} lost", "has my {parcel} gone missing",
        "when do {ship_kind} get shipped", "when will {ship_kind} be sent out",
        "what's the tracking number for order {order}", "where can I find my tracking number",
        "when will the rest of my order arrive", "where is the second box",
        "should my {parcel} still be in transit after {n} days",
    ),
    "s_fail": (
        "my {parcel} hasn't arrived", "my {parcel} still hasn't come", "my {parcel} never arrived",
        "I never received my {parcel}", "I haven't received my {parcel}",
        "the tracking hasn't updated in {n} days", "the tracking hasn't moved since {day}",
        "tracking says {status} since {day}", "tracking has said {status} for {n} days",
        "my {parcel} is stuck at the {hub}", "my {parcel} is stuck in customs",
        "my {parcel} was marked delivered but it's not here", "it says delivered but I got nothing",
        "{carrier} left my {parcel} {wrong_place}", "{carrier} didn't even knock",
        "tracking says delivery attempted but no one came",
        "my {parcel} is {n} days late",
        "the delivery window keeps moving", "the delivery keeps getting pushed back",
        "only part of my order came", "one box is still missing",
        "my {parcel} was sent to the address I used last year",
        "my {parcel} was delivered to the wrong house",
        "my {parcel} was left out in the rain", "my {parcel} has been in transit for {n} days",
        "my {parcel} was sent to {city} by mistake", "the {parcel} was supposed to come {day}",
        "it's been {n} days and my {parcel} hasn't moved", "my {parcel} is held at the {hub}",
        "the last scan was at {time} UTC in {city}", "nobody delivered my {parcel}",
        "{carrier} lost my {parcel}", "my order hasn't been dispatched yet",
        "I've been waiting {n} days for my {parcel}", "the delivery was missed",
        "the estimated delivery date has passed", "the tracking number doesn't work",
        "{carrier} {courier_act}", "{carrier} claims {nobody_home} yet I was at home",
        "tracking says delivered to {wrong_spot} but there's nothing there",
        "the delivery date keeps changing", "the expected delivery date moved again",
        "my {parcel} went to my old address",
        "customs won't release my {parcel} until I pay {amount}",
        "customs is asking me for a fee before they release my {parcel}",
        "the tracking link gives an error", "the tracking page shows nothing",
        "there's been no movement on my {parcel} for {n} days",
        "my {parcel} has been stuck on {status} for a week",
        "half of my order came and the rest didn't",
        "my {parcel} came without the second box",
    ),
    "courier_act": (
        "didn't ring the doorbell", "only put a slip through the door",
        "left a note instead of knocking", "threw my {parcel} over the wall",
        "left my {parcel} on the doorstep in the rain",
        "never turned up", "drove off without knocking", "left my {parcel} in the wrong building",
        "tossed my {parcel} into the garden", "said nobody was home",
    ),
    "nobody_home": (
        "they tried to deliver", "nobody was home", "delivery was attempted",
        "no one answered the door", "they couldn't get access",
    ),
    "wrong_spot": ("my door", "reception", "the mailroom", "my building", "the front desk"),
    "vehicle": ("van", "driver", "courier", "delivery", "truck", "postman"),
    "day_ref": ("tomorrow", "today", "on {day}", "this afternoon", "on the {nth}"),
    "ship_kind": ("preorders", "pre-orders", "backorders", "the {item}", "sale items"),
    "status": (
        "'label created'", "'in transit'", "'out for delivery'", "'awaiting collection'",
        "'delayed'", "'exception'", "'held at depot'", "'processing'", "'dispatched'",
    ),
    "hub": (
        "regional hub", "sorting center", "local depot", "customs office", "warehouse",
        "post office", "distribution centre", "border",
    ),
    "wrong_place": (
        "at the wrong address", "with a neighbour I don't know", "on the street",
        "outside in the rain", "at the wrong house", "in the bin", "at reception",
        "by the front door", "with the shop next door",
    ),
    "s_do": (
        "please change the delivery address for {thing}", "please send it to my work address",
        "please send it to my new address in {city}", "please leave it behind the gate",
        "please leave it with a neighbour", "please leave the {parcel} in the porch",
        "please redeliver on {day}", "please hold my {parcel} until {day}",
        "please ship it to a pickup point", "please send it to the locker on my street",
        "please ask the driver to call me first",
        "I'd like {speed} delivery for {thing}", "I need the tracking number for {thing}",
        "send me the tracking link please", "deliver it to my office instead",
        "I want to pick it up at the depot", "I need it delivered by {day}",
        "please send the rest of my order", "please find my {parcel}",
        "I'll pay extra for faster delivery", "I'd like to change my delivery slot to {day}",
        "please reship the missing box", "send a new one, this one never came",
        "please leave it at the {door}", "please use the {door}", "please don't leave it outside",
        "please give the driver the door code for my building",
        "the driver can't get into my building without the door code, please call me",
        "the buzzer is broken so please ask the driver to call me",
        "please redirect my {parcel} to {city}", "please send my order to my {alt_place}",
        "please upgrade my delivery to {speed}", "I'll pay the difference for {speed} delivery",
        "please recover my {parcel} from my old address",
        "please route it to a collection point close to my {alt_place}",
        "please tell the driver to {instruction}",
        "please pack it in a plain box", "please send it in discreet packaging",
        "please leave the price out of the parcel, it's a present",
    ),
    "door": (
        "back door", "side door", "side gate", "garage", "shed", "porch", "reception",
        "back entrance", "concierge", "neighbour at number {n}",
    ),
    "alt_place": ("office", "work", "holiday address", "parents' house", "new flat", "hotel"),
    "instruction": (
        "ring twice", "knock loudly", "call me when outside", "use the back entrance",
        "not leave it on the step", "wait for me to come down", "leave it behind the bins",
    ),
    "s_ask": (
        "can you change the delivery address for {thing}", "can you send it to a different address",
        "can I pick it up from a store",
        "can I collect it from the depot", "can you redeliver it on {day}",
        "can I get {speed} shipping on {thing}",
        "do you ship to {country}", "do you deliver to {country}", "do you ship to {city}",
        "how much is shipping to {country}", "how much does {speed} delivery cost",
        "is shipping free over {amount}",
        "why is shipping {amount}", "what does {speed} shipping to {country} cost",
        "is there a tracking number for {thing}", "what's the tracking number",
        "can the driver call me before delivering", "how long does shipping to {country} take",
        "how many days for {speed} delivery",
        "how long does delivery take", "what delivery options do you have",
        "can you ship my {parcel} in one box", "can you hold my {parcel} at the depot",
        "who is the courier for order {order}", "can I track my {parcel}",
        "can you deliver on a Saturday", "do you offer next day delivery",
        "can I add delivery instructions", "can I use a parcel locker instead",
        "can I pay {amount} for express delivery", "can I get it delivered by {day}",
        "will I have to sign when it's delivered", "does someone have to sign for the {parcel}",
        "can the driver leave it without a signature",
        "do I have to pay import duties on orders to {country}",
        "who pays the customs fee on delivery", "are there customs charges for {country}",
        "what's the shipping fee on a small order of {amount}", "what's the delivery charge",
        "is delivery free on orders over {amount}", "why is delivery so expensive to {country}",
                "can I give a new address for my {parcel}", "can you redirect my {parcel}",
        "can you send it to my {alt_place} instead",
        "can I change my delivery address after ordering",
        "can you deliver it to a collection point close to my {alt_place}",
        "can the driver use the {door}", "can you upgrade my delivery to {speed}",
        "can you fetch my {parcel} back from the old address", "what do I do if customs holds it",
        "can you ship it in a plain box", "can you leave your name off the box",
        "do you ship to {country} with tracking", "can the {vehicle} come in the morning",
    ),
    "speed": ("express", "next day", "faster", "standard", "priority", "same day", "tracked"),
    "s_short": (
        "where is my order", "wheres my parcel", "tracking?", "delivery status?",
        "parcel not arrived", "package late", "still waiting for my order", "not delivered",
        "order {order} where", "when will it arrive", "no delivery yet", "parcel missing",
        "shipping to {country}?", "delivery time?", "my package?", "where's order {order}",
        "late delivery", "tracking not updating", "lost parcel", "any sign of it yet",
        "where has it got to",
        "still nothing arrived", "delivery date?", "no tracking", "courier no show",
        "missed delivery", "customs fee?", "shipping cost?", "parcel stuck", "wrong address",
        "redirect parcel pls", "is it shipped yet", "where's my stuff",
    ),
    # ---- Account: login, password, email, profile, security, personal data, closing it
    "a_fail": (
        "I can't log in", "I can't log into my account", "I can't sign in", "I forgot my password",
        "I've forgotten my password", "my password doesn't work", "I can't remember my username",
        "the password reset link {link_issue}",
        "I never get the password reset email", "the reset email never arrives",
        "the verification code never arrives", "the code by {channel} never comes",
        "I don't get the sign-in code on my phone", "my account is locked", "I'm locked out",
        "my account was {blocked}", "the app signs me out every few minutes",
        "it says my password is wrong",
        "the login page keeps saying my password is wrong", "someone hacked my account",
        "someone else is using my account",
        "the verify email link doesn't work", "my account page shows an error",
        "the {button} page won't load",
        "my account shows the wrong name",
        "I can't save changes to my profile", "my username is wrong",
        "two-step verification is broken",
        "I made two accounts by mistake", "the app says my session expired",
        "I can't change my password", "my account got deleted",
        "my account is {held}", "it says no account exists for my email",
        "the site says my account doesn't exist", "my login email is misspelled",

        "my password works on the website but not in the app",
        "since I got a new phone number no sign-in code comes",
        "I see another person's details in my profile",
        "there was a login to my account from {country} that wasn't me",
        "even after {n} password resets I can't get in",
        "where is the change password option",
        "nothing happens when I request a password reset", "my email still shows as unverified",
    ),
    "held": (
        "under review", "on hold", "flagged", "pending verification", "restricted",
        "marked as suspicious",
    ),
    "link_issue": (
        "has expired", "doesn't work", "is broken", "never arrives",
        "says invalid", "loads forever",
    ),
    "channel": ("SMS", "text", "email", "text message", "the app"),
    "blocked": ("locked", "suspended", "deactivated", "disabled", "blocked", "closed", "frozen"),
    "button": ("log in", "sign in", "settings", "profile", "reset password"),
    "a_do": (
        "please reset my password", "please unlock my account",
        "please change the email on my account",
        "please change my email to my work email", "I want to update my {field}",
        "please update my {field}", "please delete my account", "close my account please",
        "I want my data deleted", "delete all my data",
        "unsubscribe me from your emails",
        "please change my name to {name}", "change my username to {name}",
        "please merge my two accounts", "please restore my old account",
        "I want to turn on two-factor authentication", "please secure my account",
        "please log me out of all devices", "I need to verify my email",
        "send me a new verification code", "I want to change my password",
        "update my phone number please", "please fix my login", "I need to get into my account",
        "remove my saved card from my account", "please delete the old card saved in my profile",
        "update the default address in my account settings",
        "remove the old address from my address book", "change my saved payment card in my profile",
        "please send me a copy of my personal data",
        "please remove my account and all my data", "please wipe my personal information",
        "please correct the spelling of my login email",
        "please switch my account to my {mail_kind} email",
        "please reactivate my account", "please bring back the account I closed",
        "please stop the marketing emails", "add my {relative} as a second user on my account",
        "please turn on two-step verification for me", "please review my account status",
    ),
    "mail_kind": ("work", "business", "personal", "new", "school"),
    "field": (
        "email address", "phone number", "surname", "display name", "password", "username",
        "profile picture", "date of birth", "marketing preferences", "security question",
        "saved address", "saved card", "notification settings", "language settings",
    ),
    "a_ask": (
        "how do I reset my password", "how do I change my password", "how can I change my email",
        "can you reset my password", "can you unlock my account", "how do I delete my account",
        "can I close my account", "how do I update my {field}", "can I change my username",
        "how do I set up two-factor login", "how do I turn off two-factor",
        "why can't I log in", "why am I logged out all the time",
        "can I have two accounts", "how do I merge my accounts",
        "can you send me a new login code", "why don't I get the verification email",
                "what data do you keep about me",
        "is my account safe", "can you check who logged into my account",
        "how do I remove a saved card from my account",
        "where do I change my saved address in my profile",
        "how do I update my payment details in my account", "can you reopen my account",
        "how do I change the name on my account",
        "can my {relative} and I share one account", "is it ok if my {relative} uses my login too",
        "what does it mean that my account is {held}", "why is my account {held}",
        "how can I switch on two-step verification", "how do I unsubscribe from your newsletter",
        "do I really need a code at every login", "why has my account been {blocked}",
        "can I use a different email to log in", "how do I recover my account",
    ),
    "a_short": (
        "forgot password", "can't log in", "cant login", "locked out", "password reset",
        "reset password pls", "login not working", "account locked", "delete my account",
        "change email", "no verification code", "hacked account", "2fa not working",
        "can't sign in", "account help", "sign in problem", "close account",
        "login code not coming", "account under review?", "delete my data", "unsubscribe me",
        "wrong name on profile", "logged out again", "reset link broken",
    ),
    # account settings beyond the login: messages and consent, the wallet, the profile, personal
    # data, guest orders, loyalty points, an account closed by the shop (issue 11)
    "a_more": (
        "{prefs_do}", "{prefs_do}", "{wallet_do}", "{wallet_do}", "{profile_do}", "{profile_do}",
        "{data_do}", "{guest_do}", "{points_do}", "{ban_do}",
    ),
    "a_more_ask": (
        "{prefs_ask}", "{prefs_ask}", "{wallet_ask}", "{wallet_ask}", "{profile_ask}",
        "{profile_ask}", "{data_ask}", "{guest_ask}", "{points_ask}", "{ban_ask}",
    ),
    "a_more_short": (
        "stop the newsletters", "no more catalogues pls", "remove my saved card",
        "new default card", "change my surname", "wrong birthday on profile", "points missing",
        "link guest order", "copy of my data", "account banned?", "wrong language on account",
        "opt out pls", "update address book", "points balance?",
    ),
    "prefs_do": (
        "please stop sending me {mailing}", "take me off your {list_kind}",
        "remove my email from the {list_kind}", "I don't want {mailing} anymore",
        "I'd like {mailing} less often", "please send me {mailing} once a week at most",
        "I only want {mailing} about my own orders", "please switch my account to {language}",
        "I'd like my account in {language} again", "set my account language to {language}",
        "please don't pass my details on to other companies",
        "I no longer consent to {purpose}", "opt me out of {purpose}",
        "please turn off {purpose} on my account", "unsubscribe me from the {list_kind}",
        "please stop the {mailing}, they fill my inbox",
        "change my contact preferences to email only",
        "I no longer want to be contacted by phone", "please turn off the app notifications",
        "my account shows up in the wrong language, please fix it",
    ),
    "prefs_ask": (
        "how do I stop getting {mailing}", "can I get {mailing} less often",
        "where do I change which emails I get from you",
        "how can I unsubscribe from the {list_kind}",
        "how do I switch the site to {language}", "why is my account suddenly in {language}",
        "can I change the language of my account", "do you share my details with {partner}",
        "how do I opt out of {purpose}", "can I turn off {purpose}",
        "why do I still get {mailing} after I unsubscribed",
        "how do I change my contact preferences",
    ),
    "mailing": (
        "newsletters", "promo emails", "marketing emails", "offers by post", "printed catalogues",
        "sale alerts", "text messages about deals", "paper brochures", "weekly emails",
        "push notifications", "leaflets in the post", "daily offer emails",
    ),
    "list_kind": (
        "mailing list", "newsletter", "postal mailing list", "marketing list", "SMS list",
        "catalogue list", "offers list",
    ),
    "language": (
        "French", "German", "English", "Spanish", "Italian", "Dutch", "Polish", "Portuguese",
    ),
    "purpose": (
        "marketing", "profiling", "personalised ads", "sharing my data with partners",
        "tracking cookies", "third-party offers", "marketing calls",
    ),
    "partner": ("other companies", "advertisers", "partners", "third parties", "anyone else"),
    "wallet_do": (
        "please remove the {card_kind} saved in my account", "delete my stored {card_kind}",
        "please make my {card_kind} the default payment method",
        "set my new {card_kind} as the default in my account",
        "I want to replace the expired {card_kind} in my profile",
        "please forget my payment details", "I don't want my card details stored on your site",
        "please take the old {card_kind} off my account", "I want to add {pay_new} to my account",
        "please update the expiry date of the {card_kind} saved in my account",
        "checkout keeps picking my old {card_kind}, please change the default",
        "I want to save a new card in my account for next time",
        "my saved {card_kind} ran out, I want to put the new one in before I order again",
    ),
    "wallet_ask": (
        "how do I add {pay_new} to my account", "can I save {pay_new} as a payment method",
        "how do I remove a {card_kind} from my saved payment methods",
        "how do I change the default card in my account",
        "where do I update an expired {card_kind} in my profile",
        "why does my account still show my old {card_kind}",
        "can I keep two cards saved in my account", "is my {card_kind} stored safely in my account",
        "how do I edit the payment details saved in my profile",
    ),
    "card_kind": (
        "card", "Visa", "Mastercard", "debit card", "credit card", "Amex", "company card",
        "bank card", "old card",
    ),
    "pay_new": (
        "PayPal", "Apple Pay", "Google Pay", "a second card", "a new debit card", "my company card",
        "Klarna", "my partner's card",
    ),
    "profile_do": (
        "please correct the {pfield} in my profile",
        "the {pfield} in my account is wrong, please fix it",
        "my {pfield} has changed, please update my account",
        "please update the {pfield} on my account",
        "I got married, please change the surname on my account",
        "I changed my name, please update my account to {name}",
        "my profile shows the wrong {pfield}", "the {pfield} saved in my account is out of date",
        "please make {city} my default address for future orders",
        "please change my saved address, I moved to {city}",
        "please update my mobile in my profile so drivers can call me",
        "please show only my initials on my reviews", "hide my surname on the reviews I posted",
        "please change the name shown on my public profile",
        "the birthday on my account is off, it should be the {nth}",
        "remove an address I no longer use from my profile",
    ),
    "profile_ask": (
        "how do I edit my {pfield}", "where can I change the {pfield} in my account",
        "can you fix the {pfield} on my profile", "why can't I change my {pfield}",
        "how do I set a new default address in my account", "can my reviews show a nickname",
        "how do I change the name people see on my reviews",
        "can I update my surname after getting married",
        "how do I add a second address to my address book",
    ),
    "pfield": (
        "date of birth", "phone number", "mobile number", "surname", "last name", "first name",
        "title", "default address", "billing address", "saved delivery address", "home address",
        "contact number", "company name", "VAT number", "postcode in my address book",
    ),
    "data_do": (
        "please send me everything you store about me", "I'm making a subject access request",
        "I want a copy of my data under data protection law",
        "please export my account data, my orders and my saved details",
        "please erase everything you know about me", "I want my personal information deleted",
        "please tell me what you do with my data", "I want to know who sees my personal details",
    ),
    "data_ask": (
        "can I download my account data", "what personal information do you store about me",
        "how can I get an export of my data", "who do you share my details with",
        "how long do you keep my data after I close my account",
        "can you delete my data but keep my order history",
    ),
    "guest_do": (
        "I checked out as a guest, please put that purchase in my account",
        "please link my guest order {order} to my account",
        "please move the orders I placed without an account into my profile",
        "I need order {order} in my account to download the invoice",
        "please attach my guest purchases to my new account",
        "I have two logins, please move my order history to one of them",
    ),
    "guest_ask": (
        "can you link a guest order to my account", "how do I get a guest order into my account",
        "why don't my guest orders show in my account",
        "can I see orders I made before I registered",
        "where do I find invoices for my orders in my account",
    ),
    "points_do": (
        "the points I collected are gone from my account", "my points balance is wrong",
        "the points for order {order} never showed up in my account",
        "please add the missing reward points to my account",
        "please move my points to my {relative}'s account",
        "I don't want to lose the points on my account",
    ),
    "points_ask": (
        "what's my points balance", "do my reward points expire",
        "when do the points on my account run out", "why did my points balance drop to zero",
        "how do I use my reward points", "can I join the loyalty scheme with my account",
        "where do I see my points in my account",
    ),
    "ban_do": (
        "my account was {blocked} after I returned a few items, please lift it",
        "please reactivate my account, I did nothing wrong",
        "you closed my account because of my refunds, please reopen it",
        "my account got {blocked} for too many returns, please unblock it",
        "please lift the restriction on my account",
        "my returns were genuine, please give me my account back",
        "you {blocked} my account over my returns, please undo it",
        "I sent a few things back and now I can't order, please restore my account",
        "{n} returns and now my account is {blocked}, please sort it out",
    ),
    "ban_ask": (
        "is my account {blocked} because of my {n} returns",
        "can you reopen the account you closed",
        "how do I appeal the ban on my account",
        "why can't I order anymore, is my account {blocked}",
        "what do I do now that my account is {blocked}",
    ),
    "acct_note": (
        "my orders are fine", "I'm not expecting any parcel at the moment",
        "I'm not ordering anything today",
        "this isn't about a delivery", "it's not about a refund", "my last parcel arrived fine",
        "the delivery went ok", "I got my refund already, this is something else",
        "order {order} is fine", "my card payments work fine", "it's just for next time",
        "it's only about my account", "no order is affected", "the courier was fine",
        "I paid with my {card} last time", "it's for future orders",
        "I'm not buying anything yet", "I just want it ready for my next order",
    ),
    "refund_done": (
        "I got the money back for the {item}", "the refund came through", "you refunded me {when}",
        "my money came back fine", "I've been paid back for the {item}",
        "I returned everything and got my money back", "thanks for the refund on order {order}",
    ),
    # ---- neutral context, said in messages of every label
    "context": (
        "I ordered {when}", "I placed order {order} {when}", "this is my second message",
        "I've been a customer for years", "it was a gift for my {relative}",
        "I'm writing from my phone", "I tried the help page already", "I live in {city}",
        "I called yesterday and nobody answered", "my order number is {order}",
        "it's order {order}", "I'm on holiday next week", "I ordered the {item} {when}",
        "my name is {name}", "I bought a {item} from you {when}",
    ),
    "relative": ("mum", "dad", "sister", "brother", "son", "daughter", "wife", "husband", "friend"),
}  # fmt: skip

#: Message layouts per label. Every layout states what the customer asks the shop to do, so a
#: message gets the label of that request (the rule of ``data/README.md``), also when it
#: mentions another topic: refunds that mention delivery, shipping questions that mention
#: money, account settings that mention an address or a card.
_FRAMES: dict[str, tuple[str, ...]] = {
    "Refund": (
        "{r_want}.", "{r_do}.", "{r_ask}?", "{r_status}?", "{r_late}.", "{r_short}", "{r_short}",
        "{r_short}",
        "{r_want}.", "{r_ask}?", "{r_status}?",
        "{r_why}. {r_want}.", "{r_why}, {r_want}.", "{r_why}, so {r_do}.", "{r_why}. {r_ask}?",
        "{r_why}. {r_do}.", "{r_want}, {r_why}.", "{r_want} because {r_why}.",
        "{r_why} and {r_late}.", "{r_late}. {r_status}?", "{r_why}. {r_status}?",
        "{r_why}.", "{r_why}!", "{r_late}!", "{r_ask}? {r_why}.",
        # mixed or hard: delivery is mentioned, money back is what is asked
        "{s_fail}, so {r_want}.", "{s_fail} and now {r_want}.",
        "{s_fail}. I don't want it anymore, {r_do}.", "{s_fail}. {r_ask}?",
        "{s_fail}, {r_do}.", "forget the delivery, {r_want}.",
        "I got the {parcel} but {r_why}. {r_want}.",
    ),
    "Shipping": (
        "{s_where}?", "{s_fail}.", "{s_fail}!", "{s_do}.", "{s_ask}?", "{s_short}", "{s_short}",
        "{s_short}",
        "{s_where}?", "{s_fail}.", "{s_ask}?",
        "{s_fail}. {s_where}?", "{s_fail}, {s_where}?", "{s_fail}. {s_do}.", "{s_fail}. {s_ask}?",
        "{s_where}? {s_fail}.", "{s_fail}, {s_do}.", "{s_where}? I ordered {when}.",
        "{s_fail} and {s_fail}.", "{s_ask}? I paid {amount} for it.",
        # mixed or hard: money or the account is mentioned, delivery is what is asked
        "I got the refund for the broken one, but {s_where}?",
        "I already paid {amount}, {s_where}?",
        "I paid {amount} for {speed} delivery, {s_where}?",
        "I paid for {speed} shipping. {s_where}?",
        "I don't want a refund, {s_do}.", "no refund needed, {s_where}?",
        "my account says shipped but {s_fail}.", "I checked my account and {s_fail}.",
        "I don't want my money back, I want my {parcel}. {s_where}?",
        "{s_fail}. I paid {amount} for shipping, {s_where}?", "{s_ask}? I'm happy to pay extra.",
        "{s_fail}, what do I do?", "{s_fail}. what now?", "{s_do}, thanks.",
    ),
    "Account": (
        "{a_fail}.", "{a_fail}!", "{a_do}.", "{a_ask}?", "{a_short}", "{a_short}", "{a_short}",
        "{a_fail}.", "{a_do}.", "{a_ask}?",
        "{a_fail}. {a_do}.", "{a_fail}, {a_ask}?", "{a_fail}. {a_ask}?", "{a_fail} and {a_fail}.",
        "{a_do}, {a_fail}.", "{a_ask}? {a_fail}.", "{a_fail}, {a_do}.",
        # mixed or hard: orders, money or addresses are mentioned, the account is what is asked
        "{a_fail}, so I can't see my orders. {a_do}.",
        "{a_fail} and I can't track my order. {a_do}.",
        "I want to check my refund but {a_fail}.", "I need to order something but {a_fail}.",
        "{a_fail}. my order {order} is fine, {a_do}.",
        "{a_fail} even though I've ordered from you before.", "{a_ask}? I shop here a lot.",
        "{a_fail}, why is that?", "{a_fail}. {a_fail}.",
        # settings beyond the login (issue 11), also next to an order, a card or a refund
        "{a_more}.", "{a_more}.", "{a_more}.", "{a_more_ask}?", "{a_more_ask}?", "{a_more_ask}?",
        "{a_more}, thanks.", "{a_more}. {a_more_ask}?", "{acct_note}. {a_more}.",
        "{a_more}. {acct_note}.", "{acct_note}, but {a_more_ask}?", "{a_more_ask}? {acct_note}.",
        "I got the {parcel}, but {a_more}.", "my refund came through, but {a_more_ask}?",
        "{a_fail}. {a_more}.", "not about order {order}: {a_more}.",
        "{refund_done}, now {a_do}.", "{refund_done}. {a_do}.", "{refund_done}, but {a_more}.",
        "{a_more_short}", "{a_more_short}",
    ),
}  # fmt: skip

_OPENERS = (
    "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "hi", "hello",
    "hey", "hiya", "good morning", "good evening",
    "dear support", "hi team", "hello there", "excuse me", "sorry to bother you",
    "quick question", "hi, hope you're well", "ok so", "urgent", "help", "hi there",
    "good afternoon", "yo", "to whom it may concern",
)  # fmt: skip
_CLOSERS = (
    "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "thanks",
    "thank you", "thx", "cheers", "many thanks",
    "thanks in advance", "please help", "please advise", "asap", "any update?",
    "kind regards, {name}", "regards", "very disappointed", "not happy", "terrible service",
    "sort it out", "ty", "much appreciated", "this is unacceptable", "thank you so much",
    "I'm really annoyed", "this is ridiculous", "please reply", "best, {name}",
)  # fmt: skip
_SLANG = (
    ("you", "u"), ("your", "ur"), ("please", "pls"), ("please", "plz"), ("thanks", "thx"),
    ("because", "cuz"), ("want to", "wanna"), ("are", "r"), ("really", "rly"),
    ("I don't know", "idk"), ("to be honest", "tbh"), ("money", "cash"), ("okay", "ok"),
)  # fmt: skip

_AGENT_REPLIES: dict[str, tuple[str, ...]] = {
    "Refund": (
        "I'm sorry about that. I have started a refund of {amount} to your card.",
        "Thanks for your patience. Your refund of {amount} will reach your card in {k} days.",
        "I'm sorry the {item} let you down. A full refund is on its way.",
        "I have approved the return under the 30-day policy. The refund takes {k} days.",
    ),
    "Shipping": (
        "I'm sorry for the delay. Order {order} was last scanned at {time} UTC at the {place}.",
        "Thanks for waiting. Your order {order} is on the way and should arrive in {k} days.",
        "I'm sorry for the delay. The latest carrier scan was {time} UTC at the {place}.",
        "Your package left the {place} in {city} and should arrive by {day}.",
    ),
    "Account": (
        "No problem. I sent a reset link to your email; it expires in {k} minutes.",
        "I have unlocked your account. Please sign in and choose a new password.",
        "Thanks for checking. I sent a new verification code to your phone.",
        "Your account details are updated. Please sign in again.",
    ),
}

_QUESTIONS: dict[str, tuple[str, ...]] = {
    "Refund": (
        "I want my money back.",
        "Where is my refund?",
        "Can I get a refund for the {item}?",
        "The {item} arrived broken.",
    ),
    "Shipping": (
        "Where is my order?",
        "Where is my order?",
        "Where is my order {order}?",
        "When will my {item} arrive?",
        "My package is late.",
    ),
    "Account": (
        "I forgot my password.",
        "I cannot log in.",
        "I never got the verification code.",
        "Please change the email on my account.",
    ),
}

_POLICIES = (
    "Policy: damaged items may be returned within 30 days.",
    "Policy: refunds go back to the original payment method within {k} business days.",
    "Policy: orders ship within 2 business days.",
    "Policy: a password reset link expires after {k} minutes.",
    "Policy: cite the policy and the evidence when you approve a return.",
    "Evidence: order {order} arrived damaged on day {n}.",
    "Evidence: shipment for order {order} was last scanned at {time} UTC at the {place}.",
    "Approve a damaged-item return under the 30-day policy.",
    "The latest carrier scan was {time} UTC at the regional hub.",
)


@dataclass(frozen=True)
class Ticket:
    """One customer message and its label.

    Attributes
    ----------
    message : str
        Single-line customer text.
    label : str
        One of :data:`LABELS`.
    """

    message: str
    label: str

    def __post_init__(self) -> None:
        check_str("message", self.message)
        check_choice("label", self.label, LABELS)


@dataclass(frozen=True)
class SupportSplit:
    """Training and held-out tickets with no message in common.

    Attributes
    ----------
    train : tuple of Ticket
    held_out : tuple of Ticket
    """

    train: tuple[Ticket, ...]
    held_out: tuple[Ticket, ...]

    def overlap(self) -> int:
        """Return how many held-out messages also occur in train (0 by construction)."""
        return len({t.message for t in self.train} & {t.message for t in self.held_out})


def _pick(rng: np.random.Generator, options: Sequence[str]) -> str:
    return options[int(rng.integers(len(options)))]


def _digits(rng: np.random.Generator, n: int) -> str:
    return "".join(str(int(d)) for d in rng.integers(0, 10, size=n))


def _order_id(rng: np.random.Generator) -> str:
    """Return an order number in one of the shapes customers type."""
    shape = int(rng.integers(9))
    letter = "ABCDEFGHJKLMNPRSTUVWXYZ"[int(rng.integers(23))]
    first = str(int(rng.integers(1, 10)))
    return (
        f"A{int(rng.integers(10000, 100000))}",
        f"#{first}{_digits(rng, 5)}",
        f"ORD-{first}{_digits(rng, 4)}",
        f"{first}{_digits(rng, 3)}-{_digits(rng, 4)}",
        f"{first}{_digits(rng, 4)}",
        f"no. {first}{_digits(rng, 4)}",
        f"{letter}-{first}{_digits(rng, 3)}",
        f"#A{int(rng.integers(10000, 100000))}",
        f"{letter}{letter}{first}{_digits(rng, 5)}",
    )[shape]


def _amount(rng: np.random.Generator) -> str:
    """Return an amount of money in one of the shapes customers type."""
    whole, cents = int(rng.integers(2, 400)), int(rng.integers(0, 100))
    return (
        f"${whole}.{cents:02d}", f"${whole}", f"{whole}.{cents:02d}", f"€{whole}", f"{whole} €",
        f"{whole},{cents:02d} €", f"USD {whole}", f"EUR {whole}", f"{whole} quid",
        f"£{whole}.{cents:02d}", f"{whole} dollars", f"{whole} bucks", f"{whole} euros",
        f"£{whole}", f"{whole}.{cents:02d} GBP",
    )[int(rng.integers(15))]  # fmt: skip


def _count(rng: np.random.Generator) -> str:
    n = int(rng.integers(2, 21))
    words = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 10: "ten"}
    return words[n] if n in words and rng.random() < 0.3 else str(n)


def _time(rng: np.random.Generator) -> str:
    return f"{int(rng.integers(0, 24)):02d}:{int(rng.integers(0, 60)):02d}"


#: Slots filled by a generated value rather than a phrase of the grammar.
_VALUES = {"order": _order_id, "amount": _amount, "n": _count, "time": _time}
_SLOT = re.compile(r"\{(\w+)\}")


def _expand(rng: np.random.Generator, phrase: str) -> str:
    """Return ``phrase`` with every ``{slot}`` replaced, recursively, by a random filler."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _VALUES:
            return _VALUES[name](rng)
        return _expand(rng, _pick(rng, _GRAMMAR[name]))

    return _SLOT.sub(fill, phrase)


def _sentence_case(text: str) -> str:
    """Return ``text`` with the first letter of each sentence in upper case."""
    return re.sub(r"(^|[.!?] )([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)


def _typo(rng: np.random.Generator, word: str) -> str:
    """Return ``word`` with two inner letters swapped, one letter dropped or one doubled."""
    i = int(rng.integers(1, len(word) - 2))
    kind = int(rng.integers(3))
    if kind == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def _as_typed(rng: np.random.Generator, text: str) -> str:
    """Return ``text`` written the way people type: lower case, slang, typos, no punctuation."""
    if rng.random() < _NOISE["slang"]:
        for formal, informal in _SLANG:
            if rng.random() < _DRAWN_SHOTS:
                text = re.sub(rf"\b{formal}\b", informal, text)
    if rng.random() < _NOISE["typo"]:
        words = text.split(" ")
        long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
        for i in rng.permutation(long)[: int(rng.integers(1, 3))]:
            words[int(i)] = _typo(rng, words[int(i)])
        text = " ".join(words)
    if rng.random() < _NOISE["no_apostrophe"]:
        text = text.replace("'", "")
    if rng.random() < _NOISE["no_comma"]:
        text = text.replace(",", "")
    if rng.random() < _NOISE["no_end"]:
        text = text.rstrip(".!")
    if rng.random() < _NOISE["shout"]:
        text = text.rstrip(".!?") + _pick(rng, ("!!", "!!!", "??", "?!"))
    if rng.random() < _NOISE["lower"]:
        text = text.lower()
    elif rng.random() < _NOISE["caps"]:
        text = text.upper()
    return text


def _ticket(rng: np.random.Generator) -> Ticket:
    label = _pick(rng, LABELS)
    sentences = [_expand(rng, _pick(rng, _FRAMES[label]))]
    if rng.random() < _NOISE["context"]:
        context = _expand(rng, _pick(rng, _GRAMMAR["context"])) + "."
        sentences.insert(int(rng.integers(2)) * len(sentences), context)
    opener, closer = _expand(rng, _pick(rng, _OPENERS)), _expand(rng, _pick(rng, _CLOSERS))
    if opener:
        sentences.insert(0, opener + _pick(rng, (",", ".", "!", "")))
    if closer:
        sentences.append(closer if closer.endswith("?") else closer + _pick(rng, (".", "!", "")))
    text = _sentence_case(" ".join(s if s[-1] in ".!?," else s + "." for s in sentences))
    text = re.sub(r"([.!?,])[.,]", r"\1", text)
    return Ticket(_as_typed(rng, text).strip(), label)


def _slots(rng: np.random.Generator) -> dict[str, str]:
    """Return one random value for every slot an agent reply or a policy line may use."""
    return {
        "item": _pick(rng, _GRAMMAR["item"]),
        "order": f"A{int(rng.integers(10000, 100000))}",
        "n": str(int(rng.integers(2, 21))),
        "k": str(int(rng.integers(3, 11))),
        "amount": f"${int(rng.integers(5, 300))}.{int(rng.integers(0, 100)):02d}",
        "place": _pick(rng, _GRAMMAR["hub"][:5]),
        "city": _pick(rng, _GRAMMAR["city"]),
        "day": _pick(rng, _GRAMMAR["day"]),
        "time": _time(rng),
    }


def generate_tickets(n: int, *, seed: int = 0, exclude: Sequence[str] = ()) -> tuple[Ticket, ...]:
    """Return ``n`` tickets with distinct messages and uniformly drawn labels, seeded.

    Parameters
    ----------
    n : int
        Number of tickets, ``>= 1``.
    seed : int, default 0
        Seed of the generator, ``>= 0``.
    exclude : sequence of str, default ()
        Messages that must not be produced.

    Returns
    -------
    tuple of Ticket

    Raises
    ------
    TypeError
        If ``n`` or ``seed`` is not an integer.
    ValueError
        If ``n < 1`` or ``seed < 0``.

    Examples
    --------
    >>> generate_tickets(2, seed=0) == generate_tickets(2, seed=0)
    True
    >>> {t.label for t in generate_tickets(60, seed=1)} == set(LABELS)
    True
    """
    n = check_positive_int("n", n)
    seed = check_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    seen = set(exclude)
    tickets: list[Ticket] = []
    while len(tickets) < n:
        ticket = _ticket(rng)
        if ticket.message not in seen:
            seen.add(ticket.message)
            tickets.append(ticket)
    return tuple(tickets)


def support_split(*, n_train: int = 3000, n_held_out: int = 100, seed: int = 0) -> SupportSplit:
    """Return train and held-out tickets that share no message (nor the prompt's examples).

    Held-out messages are also kept apart from the few-shot examples of
    :data:`llmhistory.concepts.prompts.SUPPORT_EXAMPLES`, which appear in every evaluation prompt.

    Parameters
    ----------
    n_train, n_held_out : int
        Sizes of the two splits, ``>= 1``.
    seed : int, default 0
        Seed, ``>= 0``.

    Returns
    -------
    SupportSplit

    Examples
    --------
    >>> split = support_split(n_train=20, n_held_out=5, seed=3)
    >>> split.overlap()
    0
    """
    n_train = check_positive_int("n_train", n_train)
    n_held_out = check_positive_int("n_held_out", n_held_out)
    shots = [message for message, _ in SUPPORT_EXAMPLES]
    tickets = generate_tickets(n_train + n_held_out, seed=seed, exclude=shots)
    return SupportSplit(train=tickets[n_held_out:], held_out=tickets[:n_held_out])


def label_document(ticket: Ticket, examples: Sequence[tuple[str, str]] = SUPPORT_EXAMPLES) -> str:
    """Return the few-shot label prompt for ``ticket`` followed by a space and its label.

    Examples
    --------
    >>> print(label_document(Ticket("I forgot my password.", "Account")).splitlines()[-1])
    Label: Account
    """
    prompt = build_label_prompt(ticket.message, examples, labels=LABELS)
    return f"{prompt} {ticket.label}"


def generate_dialogues(n: int, *, seed: int = 0) -> tuple[str, ...]:
    """Return ``n`` one-turn support exchanges ``"Customer: ...\\nAgent: ..."``.

    Examples
    --------
    >>> print(generate_dialogues(1, seed=0)[0].splitlines()[0][:9])
    Customer:
    """
    n = check_positive_int("n", n)
    seed = check_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    dialogues = []
    for _ in range(n):
        if rng.random() < 0.5:
            label = _pick(rng, LABELS)
            slots = _slots(rng)
            question = _pick(rng, _QUESTIONS[label]).format(**slots)
        else:
            ticket = _ticket(rng)
            label, question, slots = ticket.label, ticket.message, _slots(rng)
        reply = _pick(rng, _AGENT_REPLIES[label]).format(**slots)
        dialogues.append(f"{chat_prompt([('Customer', question)])} {reply}")
    return tuple(dialogues)


def policy_snippets(n: int, *, seed: int = 0) -> tuple[str, ...]:
    """Return ``n`` policy or evidence lines such as ``"Policy: ... within 30 days."``.

    Examples
    --------
    >>> all(s.endswith(".") for s in policy_snippets(5, seed=0))
    True
    """
    n = check_positive_int("n", n)
    seed = check_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    return tuple(_pick(rng, _POLICIES).format(**_slots(rng)) for _ in range(n))


def training_documents(split: SupportSplit, n_documents: int, *, seed: int = 0) -> tuple[str, ...]:
    """Return ``n_documents`` training texts drawn from ``split.train`` only.

    The mix: 55% few-shot label prompts with their answer (a third with the book's standard
    examples, two thirds with three shots drawn from the training tickets, so that one document
    teaches four labels), 22% bare ``Message: ... / Label: ...`` pairs, 16% support exchanges,
    7% policy and evidence lines. Held-out messages never appear.

    Parameters
    ----------
    split : SupportSplit
    n_documents : int
        Number of documents, ``>= 1``.
    seed : int, default 0

    Returns
    -------
    tuple of str
        Documents without special tokens (the trainer wraps each in ``<bos>`` ... ``<eos>``).

    Examples
    --------
    >>> split = support_split(n_train=30, n_held_out=5)
    >>> docs = training_documents(split, 20, seed=0)
    >>> len(docs), any(t.message in " ".join(docs) for t in split.held_out)
    (20, False)
    """
    split = check_instance("split", split, SupportSplit)
    n_documents = check_positive_int("n_documents", n_documents)
    seed = check_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    kinds = rng.choice(4, size=n_documents, p=_MIX)
    train = split.train
    documents = []
    for kind in kinds:
        ticket = train[int(rng.integers(len(train)))]
        if kind == 0:
            examples: Sequence[tuple[str, str]] = SUPPORT_EXAMPLES
            if rng.random() < _DRAWN_SHOTS:
                shots = [train[int(i)] for i in rng.integers(len(train), size=3)]
                examples = [(t.message, t.label) for t in shots]
            documents.append(label_document(ticket, examples))
        elif kind == 1:
            documents.append(f"Message: {ticket.message}\nLabel: {ticket.label}")
        elif kind == 2:
            documents.append(generate_dialogues(1, seed=int(rng.integers(2**31)))[0])
        else:
            documents.append(policy_snippets(1, seed=int(rng.integers(2**31)))[0])
    return tuple(documents)
