"""A synthetic customer-support corpus, generated from templates with a seed (nothing downloaded).

The tiny model of the book is trained on text written by this module: support tickets labelled
``Refund``, ``Shipping`` or ``Account``; few-shot label prompts built by
:func:`llmhistory.concepts.prompts.build_label_prompt` and followed by the right label; short
``Customer: ... / Agent: ...`` exchanges; policy snippets and case evidence with order ids such as
``A10234`` and scan times such as ``09:32 UTC``.

Tickets come from many sentence templates and slot fillers (items, order ids, days, carriers,
cities, greetings, sign-offs), so a held-out split holds sentences the model has never seen.
:func:`support_split` guarantees that no message appears in both splits, and
:func:`training_documents` only ever uses the training split.

>>> split = support_split(n_train=50, n_held_out=10, seed=0)
>>> len(split.train), len(split.held_out), split.overlap()
(50, 10, 0)
"""

from __future__ import annotations

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

_ITEMS = (
    "blue jacket", "coffee maker", "desk lamp", "phone case", "pair of boots", "laptop stand",
    "yoga mat", "backpack", "water bottle", "wool scarf", "rain coat", "kitchen scale",
    "set of headphones", "toaster", "gift card", "winter hat", "office chair", "set of bed sheets",
    "travel mug", "camera bag", "pair of running shoes", "picture frame", "tea kettle",
    "wall clock",
    "garden hose", "dress shirt", "phone charger", "table lamp", "cooking pot", "floor rug",
)  # fmt: skip
_CARRIERS = ("the carrier", "the courier", "NorthPost", "ParcelGo", "FastShip", "the driver")
_PLACES = ("regional hub", "sorting center", "local depot", "customs office", "warehouse")
_CITIES = (
    "Denver", "Austin", "Boston", "Seattle", "Chicago", "Miami", "Portland", "Dallas",
    "Phoenix", "Atlanta", "Detroit", "Toronto", "Leeds", "Dublin", "Lyon", "Madrid",
)  # fmt: skip
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_NAMES = ("Maria Lopez", "James Chen", "Ana Silva", "Tom Becker", "Priya Nair", "Sam Okafor")
_OPENERS = ("", "", "", "Hi. ", "Hello. ", "Hi there. ", "Good morning. ", "Quick question. ")
_CLOSERS = ("", "", "", " Thanks.", " Thank you.", " Please help.", " Any update?", " Thanks!")

_TEMPLATES: dict[str, tuple[str, ...]] = {
    "Refund": (
        "I want my money back for the {item}.",
        "Please refund order {order}.",
        "The {item} arrived broken and I would like a refund.",
        "Can I get a refund for the {item} I sent back {n} days ago?",
        "I was charged twice for order {order}, please refund one charge.",
        "How long does a refund take to reach my card?",
        "I returned the {item} but never got my refund.",
        "The {item} does not fit, can I send it back for my money?",
        "I cancelled order {order} and still want the {amount} back.",
        "My refund for the {item} is still missing.",
        "Please give me back the {amount} for the damaged {item}.",
        "The {item} is not what I ordered and I want a refund.",
        "I would like to return the {item} for a full refund.",
        "You charged me {amount} for a {item} I never ordered.",
        "The {item} stopped working after {n} days, I want my money back.",
        "Can you reverse the {amount} charge on order {order}?",
        "I was billed {amount} after I cancelled, please refund it.",
        "Refund the {item} please, it came with a scratch.",
        "The refund for order {order} has not shown up on my card.",
        "I paid {amount} twice for the {item}.",
        "Can I return the {item} and get my money back?",
        "The {item} was damaged, so I need a refund of {amount}.",
    ),
    "Shipping": (
        "I never received my package.",
        "My order says delivered but it's not here.",
        "Where is my order {order}?",
        "The tracking for order {order} has not moved in {n} days.",
        "When will my {item} arrive?",
        "My package is stuck at the {place}.",
        "{Carrier} left my {item} at the wrong address.",
        "Can you change the delivery address for order {order}?",
        "My {item} is {n} days late.",
        "The last scan for my package was at {time} UTC in {city}.",
        "Has order {order} shipped yet?",
        "Tracking says out for delivery since {day}.",
        "Can I get faster shipping on my {item}?",
        "The box with my {item} was lost by {carrier}.",
        "Why is my delivery to {city} delayed?",
        "My {item} has been in transit for {n} days.",
        "The parcel for order {order} went to {city} by mistake.",
        "Is there a tracking number for my {item}?",
        "The delivery window for order {order} keeps moving.",
        "My package was marked delivered on {day} but I have nothing.",
        "How long does shipping to {city} take?",
        "{Carrier} has not picked up my {item} from the {place}.",
    ),
    "Account": (
        "I forgot my password.",
        "I cannot log in to my account.",
        "Please change the email on my account.",
        "My account was locked after too many attempts.",
        "How do I reset my password?",
        "I never got the verification code for my account.",
        "Someone else may be using my account.",
        "Please delete my account and my data.",
        "I want to update my phone number on my profile.",
        "The login page keeps saying my password is wrong.",
        "How do I turn on two-step sign in?",
        "I cannot change my username.",
        "My account shows the wrong name, it should say {name}.",
        "I want to merge my two accounts.",
        "I did not get the password reset email.",
        "My account was locked on {day} and I cannot sign in.",
        "Can you unlock my account, my name is {name}?",
        "The sign in code never arrives on my phone.",
        "Please update the name on my profile to {name}.",
        "I made a new account by mistake, please close it.",
        "My password reset link has expired.",
        "Why was I logged out of my account on {day}?",
    ),
}

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


def _slots(rng: np.random.Generator) -> dict[str, str]:
    """Return one random value for every slot a template may use."""
    carrier = _pick(rng, _CARRIERS)
    return {
        "item": _pick(rng, _ITEMS),
        "order": f"A{int(rng.integers(10000, 100000))}",
        "n": str(int(rng.integers(2, 21))),
        "k": str(int(rng.integers(3, 11))),
        "amount": f"${int(rng.integers(5, 300))}.{int(rng.integers(0, 100)):02d}",
        "carrier": carrier,
        "Carrier": carrier[0].upper() + carrier[1:],
        "place": _pick(rng, _PLACES),
        "city": _pick(rng, _CITIES),
        "day": _pick(rng, _DAYS),
        "time": f"{int(rng.integers(0, 24)):02d}:{int(rng.integers(0, 60)):02d}",
        "name": _pick(rng, _NAMES),
    }


def _ticket(rng: np.random.Generator) -> Ticket:
    label = _pick(rng, LABELS)
    core = _pick(rng, _TEMPLATES[label]).format(**_slots(rng))
    return Ticket(_pick(rng, _OPENERS) + core + _pick(rng, _CLOSERS), label)


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
        label = _pick(rng, LABELS)
        slots = _slots(rng)
        question = _pick(rng, _QUESTIONS[label]).format(**slots)
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

    The mix: 45% few-shot label prompts with their answer (half with the book's standard
    examples, half with three shots drawn from the training tickets), 15% bare
    ``Message: ... / Label: ...`` pairs, 30% support exchanges, 10% policy and evidence lines.
    Held-out messages never appear.

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
    kinds = rng.choice(4, size=n_documents, p=[0.45, 0.15, 0.30, 0.10])
    train = split.train
    documents = []
    for kind in kinds:
        ticket = train[int(rng.integers(len(train)))]
        if kind == 0:
            examples: Sequence[tuple[str, str]] = SUPPORT_EXAMPLES
            if rng.random() < 0.5:
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
