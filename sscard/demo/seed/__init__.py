"""The demo data of ``python manage.py seed_demo``: a Jieyang deployment with a believable history.

What it writes
--------------
* the region settings row (defaults: 揭阳市 445200), five cooperating banks, service outlets
  in the five districts of Jieyang, the administrator's provisional 2027 holidays;
* one staff account per role (``demo_admin``, ``demo_reviewer``, ``demo_producer``,
  ``demo_clerk``) with a permission group per role, plus a counter clerk for every other
  outlet (no password: they only sign for the cards of their outlet in the story);
* the citizen and employer demo logins (``demo_card``, ``demo_nocard``, ``demo_guardian``,
  ``demo_lost``, ``demo_employer``, approved, and ``demo_employer_new``, whose 营业执照 waits in
  the reviewer's queue);
* a couple of hundred people whose cards and applications are spread over every card state,
  every application status and every production stage, some of them near or past the legal
  time limit so that the overdue list has entries;
* the production batches: every order sent to a bank went in a batch of that bank, created
  and sent as the production officer does it, acknowledged by the bank's system before any
  report on it, 已完成 once none of its orders is being made — so the partner simulator takes
  the open ones further (``manage.py simulate_partners``);
* the messages those steps caused (the services write them): each account's 消息中心, read
  when older than a month, and the SMS waiting in the outbox for the worker to deliver.

How
---
Every person's history is a *story*: a list of steps (register, apply, accept, approve,
produce, hand over, enable, report a loss, reissue …) performed through the services, the
same calls the portal and the staff pages make, so the rows, card history, timelines and audit
records are the ones the services write. The steps are spread over the past: each service
is told the moment of its step (``now=``, from a story clock never later than the real time),
so acceptance dates, legal deadlines, receipt numbers, card issue dates and temporary loss
expiry are what they would have been had the steps happened on those days.

One shortcut keeps it fast: enabling a card hashes its 6-digit service password with the
project's password hasher (Argon2, about a third of a second). The named demo cards are
enabled with :data:`DEMO_SERVICE_PASSWORD`; the crowd's cards are enabled by the same service
with :data:`BULK_SERVICE_PASSWORD` hashed once, ahead (``service_password_hash``).

Running it again does nothing but print the logins (the marker is the ``demo_admin`` user).
People, dates and choices are deterministic for a given day (``random.Random(2026)``,
``Faker.seed(2026)``); receipt and card numbers made by the services come from their own
random generators.

Modules
-------
``reference`` the fixed data (banks, outlets, holidays, districts, reasons, demo credentials),
``people`` made-up people (``Profile``, faker zh_CN) and a person's ``Case``, ``scenarios`` the
stories of the crowd and their pacing, ``clock`` the story clock, ``steps`` what each step of a
story does through the services, ``seeder`` the cast and the whole run, ``output`` what the
command prints.
"""
