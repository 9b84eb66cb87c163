"""Recognizer precision and recall on generated fixtures (>= 50 positives and negatives each).

Valid values are generated here with our own check-digit code, written
independently of the library's (different formulas for the same standards).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.compliance.masking import MaskStyle, mask_value
from toolkit.compliance.recognizers import (
    BUILTIN_ENTITIES,
    builtin_recognizer,
    is_valid_iban,
    luhn_valid,
)

RNG_SEED = 20261126

# -- independent generators ------------------------------------------------------------------


def luhn_check_digit(payload: str) -> str:
    # Doubling table form of Luhn: position parity counted from the check digit.
    doubled = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9]
    total = 0
    for i, ch in enumerate(reversed(payload)):
        total += doubled[int(ch)] if i % 2 == 0 else int(ch)
    return str((10 - total % 10) % 10)


def make_pan(rng: random.Random, prefix: str, length: int) -> str:
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    return body + luhn_check_digit(body)


def group(value: str, sizes: list[int], sep: str) -> str:
    out, pos = [], 0
    for size in sizes:
        out.append(value[pos : pos + size])
        pos += size
    if pos < len(value):
        out.append(value[pos:])
    return sep.join(out)


IBAN_TEST_LENGTHS = {
    "DE": 22, "GB": 22, "FR": 27, "NL": 18, "ES": 24, "IT": 27,
    "BE": 16, "CH": 21, "AT": 20, "PL": 28, "NO": 15, "SA": 24,
}  # fmt: skip


def iban_with_check(country: str, bban: str) -> str:
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(numeric) % 97:02d}{bban}"


def make_iban(rng: random.Random, country: str, length: int | None = None) -> str:
    n = (length or IBAN_TEST_LENGTHS[country]) - 4
    alphabet = "0123456789" * 3 + "ABCDEFGHJKLMNPQRSTUVWXYZ"
    bban = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4)) + "".join(
        rng.choice(alphabet) for _ in range(n - 4)
    )
    return iban_with_check(country, bban)


def cn_check(first17: str) -> str:
    # Weights are 2^(17-i) mod 11; check = (12 - sum mod 11) mod 11, 10 written X.
    s = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    value = (12 - s % 11) % 11
    return "X" if value == 10 else str(value)


AREAS = ["110105", "310104", "440305", "510107", "330106", "420111", "610113", "210202"]


def make_cn_id(rng: random.Random) -> str:
    born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 65 * 365))
    first17 = rng.choice(AREAS) + born.strftime("%Y%m%d") + f"{rng.randrange(1000):03d}"
    return first17 + cn_check(first17)


VIN_TRANSLIT = "0123456789.ABCDEFGH..JKLMN.P.R..STUVWXYZ"
VIN_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"


def vin_check(vin17: str) -> str:
    total = sum(VIN_TRANSLIT.index(c) % 10 * w for c, w in zip(vin17, VIN_WEIGHTS, strict=True))
    return "X" if total % 11 == 10 else str(total % 11)


def make_vin(rng: random.Random) -> str:
    wmi = rng.choice(["1HG", "JH2", "WBA", "5YJ", "3FA", "KMH", "VF1", "ZFA", "LSV", "SAL"])
    vds = "".join(rng.choice(VIN_CHARS) for _ in range(5))
    year = rng.choice("ABCDEFGHJKLMNPRSTVWXY123456789")
    plant = rng.choice(VIN_CHARS)
    serial = "".join(rng.choice("0123456789") for _ in range(6))
    draft = wmi + vds + "0" + year + plant + serial
    return draft[:8] + vin_check(draft) + draft[9:]


# -- fixtures: (text, expected values) ----------------------------------------------------------

Case = tuple[str, list[str]]

SENTENCES = [
    "Please charge {} for the order.",
    "My number is {}",
    "{}",
    "Customer wrote: '{}', thanks!",
    "账户 {} 已登记。",
    "Ref: see value ({}) above.",
]


def _embed(rng: random.Random, value: str) -> str:
    return rng.choice(SENTENCES).format(value)


def card_cases() -> tuple[list[Case], list[Case]]:
    rng = random.Random(RNG_SEED)
    networks = [("4", 16), ("4", 13), ("4", 19), ("51", 16), ("55", 16), ("2221", 16),
                ("2720", 16), ("34", 15), ("37", 15), ("6011", 16), ("3530", 16),
                ("62", 16), ("62", 19), ("36", 14)]  # fmt: skip
    pos: list[Case] = []
    for i in range(60):
        prefix, length = networks[i % len(networks)]
        pan = make_pan(rng, prefix, length)
        style = i % 3
        if length == 16 and style:
            shown = group(pan, [4, 4, 4, 4], " " if style == 1 else "-")
        elif length == 15 and style:
            shown = group(pan, [4, 6, 5], " " if style == 1 else "-")
        else:
            shown = pan
        pos.append((_embed(rng, shown), [pan]))
    pos.append(("Card 4111 1111 1111 1111 expires 12/27", ["4111111111111111"]))
    neg: list[Case] = []
    for i in range(25):
        pan = make_pan(rng, "4", 16)
        bad = pan[:-1] + str((int(pan[-1]) + 1 + i % 9) % 10)
        neg.append((f"card {group(bad, [4, 4, 4, 4], ' ')}", []))
    for _ in range(10):
        ts = dt.datetime(2020, 1, 1) + dt.timedelta(seconds=rng.randrange(10**8))
        neg.append((f"logged at {ts:%Y%m%d%H%M%S}{rng.randrange(1000):03d}", []))
        neg.append((f"epoch ms {int(ts.timestamp() * 1000)}", []))
    # Fail closed (PCI DSS 3.4.1): a valid PAN is a card number whatever it is called or
    # glued to; only the digits of a decimal number are not.
    pos += [
        ("Order ORD-4111111111111111 shipped", ["4111111111111111"]),
        ("order no: 4111111111111111", ["4111111111111111"]),
        ("tracking number 4111 1111 1111 1111", ["4111111111111111"]),
        ("订单号\uff1a4111111111111111", ["4111111111111111"]),
        ("invoice #5555555555554444 paid", ["5555555555554444"]),
        ("sku4111111111111111", ["4111111111111111"]),
        ("4111 1111-1111 1111 mixed separators", ["4111111111111111"]),
        ("4111.1111.1111.1111 dotted", ["4111111111111111"]),
        ("\uff14\uff11\uff11\uff11" * 1 + "\uff11" * 12, ["4111111111111111"]),
    ]
    neg += [
        ("p = 0.25066147886538653", []),
        ("ratio 4.111111111111111 and 4111111111111.111", []),
        ("Call +1 415 555 2671 today", []),
        ("Call 13812345678 now", []),
        ("Amount 1,234,567,890.12 USD", []),
        ("Between 2024-01-15 and 2024-02-15", []),
        ("IBAN DE89370400440532013000", []),
        ("id 11010519491231002X", []),
        ("serial 9111111111111111", []),  # Luhn-valid, no network issues 9
        ("code 1111111111111117", []),
    ]
    return pos, neg


def iban_cases() -> tuple[list[Case], list[Case]]:
    rng = random.Random(RNG_SEED + 1)
    countries = sorted(IBAN_TEST_LENGTHS)
    pos: list[Case] = []
    for i in range(60):
        iban = make_iban(rng, countries[i % len(countries)])
        shown = group(iban, [4] * 8, " ") if i % 2 else iban
        pos.append((_embed(rng, shown), [iban]))
    pos.append(("IBAN GB82 WEST 1234 5698 7654 32 please", ["GB82WEST12345698765432"]))
    pos.append(("gb82west12345698765432 typed in lower case", ["GB82WEST12345698765432"]))
    pos.append(("账户DE89370400440532013000请汇款", ["DE89370400440532013000"]))
    neg: list[Case] = []
    for i in range(24):
        iban = make_iban(rng, countries[i % len(countries)])
        wrong = f"{int(iban[2:4]) % 97 + 1:02d}" if iban[2:4] != "97" else "03"
        neg.append((f"IBAN {iban[:2]}{wrong}{iban[4:]}", []))
    for i in range(12):
        country = countries[i % len(countries)]
        neg.append((f"acct {make_iban(rng, country, IBAN_TEST_LENGTHS[country] + 1)}", []))
    neg += [
        (f"acct {iban_with_check(code, '370400440532013000')}", [])
        for code in ["XX", "ZZ", "QQ", "AA", "US", "CN", "JP", "CA"]
    ]
    neg += [
        ("ISO 13616 defines IBAN", []),
        ("DE12 is too short", []),
        ("Model AB12CD34EF56 in stock", []),
        ("Flight LH4010 departs 09:40", []),
        ("gb82west12345698765433 lower case, wrong check", []),
        ("Card 4111111111111111", []),
        ("Postcode SW1A 1AA, London", []),
        ("Part no. DE89 3704 0044", []),
    ]
    return pos, neg


def cn_cases() -> tuple[list[Case], list[Case]]:
    rng = random.Random(RNG_SEED + 2)
    pos: list[Case] = [(_embed(rng, v), [v]) for v in (make_cn_id(rng) for _ in range(60))]
    pos.append(("身份证号11010519491231002X。", ["11010519491231002X"]))
    pos.append(("ID 110105 19491231 002X on file", ["11010519491231002X"]))
    pos.append(("身份证 110105 1949 1231 002x", ["11010519491231002X"]))
    neg: list[Case] = []
    for i in range(25):
        good = make_cn_id(rng)
        wrong = "0123456789X"[("0123456789X".index(good[-1]) + 1 + i % 9) % 11]
        neg.append((f"id {good[:-1]}{wrong}", []))
    for _ in range(10):
        first17 = "990101" + "19800101" + f"{rng.randrange(1000):03d}"  # no province 99
        neg.append((f"id {first17}{cn_check(first17)}", []))
        first17 = "110105" + "19810230" + f"{rng.randrange(1000):03d}"  # 30 February
        neg.append((f"id {first17}{cn_check(first17)}", []))
    neg += [
        ("timestamp 202611260911171234", []),
        ("card 6222021234567890123", []),
        ("phone 13812345678", []),
        ("short 11010519491231002", []),
        ("long 11010519491231002X1", []),
        ("order 110105194912310021A", []),
        ("future 110105" + "20991231" + "123" + cn_check("110105209912311233"[:17]), []),
    ]
    return pos, neg


def vin_cases() -> tuple[list[Case], list[Case]]:
    rng = random.Random(RNG_SEED + 3)
    pos: list[Case] = [(_embed(rng, v), [v]) for v in (make_vin(rng) for _ in range(60))]
    pos.append(("VIN JH2RC3605MM101581 recalled", ["JH2RC3605MM101581"]))
    neg: list[Case] = [("VIN JH2RC3606MM101581 (expects 5)", [])]
    for i in range(25):
        good = make_vin(rng)
        wrong = "0123456789X"[("0123456789X".index(good[8]) + 1 + i % 9) % 11]
        neg.append((f"vin {good[:8]}{wrong}{good[9:]}", []))
    for _ in range(12):
        digits = "".join(rng.choice("0123456789") for _ in range(17))
        neg.append((f"number {digits[:8]}{vin_check(digits)}{digits[9:]}", []))  # all digits
    for _ in range(6):
        good = make_vin(rng)
        neg.append((f"vin {good[:3]}I{good[4:]}", []))  # I is never used
    neg += [
        ("short JH2RC3605MM10158", []),
        ("long JH2RC3605MM1015812", []),
        ("ABCDEFGHJKLMNPRST letters only", []),
        ("hash 5f4dcc3b5aa765d61d8327deb882cf99", []),
        ("uuid 123e4567-e89b-12d3-a456-426614174000", []),
        ("lower jh2rc3605mm101581", []),
    ]
    return pos, neg


def email_cases() -> tuple[list[Case], list[Case]]:
    rng = random.Random(RNG_SEED + 4)
    locals_ = ["john.smith", "a", "li_wei", "ops+alerts", "x-y.z", "anna2024", "j.oneil"]
    domains = ["example.com", "bank.co.uk", "mail.example.cn", "corp-mail.de", "ex.io"]
    pos: list[Case] = []
    for _ in range(55):
        addr = f"{rng.choice(locals_)}{rng.randrange(100)}@{rng.choice(domains)}"
        pos.append((_embed(rng, addr), [addr.lower()]))
    neg: list[Case] = [
        (t, [])
        for t in [
            "user@localhost", "a@b", "name at example dot com", "@handle on social",
            "foo@bar.c", "x@-bad.com", "user@@example.com", "icon@2x.png", "logo@3x.jpg",
            "price 3@4.50", "email me", "ratio 1:2@3", "user@.com", "user@com",
            "@example.com", "john@", "版本@2024", "a@b.c1", "weird@exa_mple.com",
        ]
    ]  # fmt: skip
    for i in range(35):
        neg.append(  # noqa: PERF401
            (f"version {i}.{i + 1}.{i + 2} at commit {rng.randrange(10**8):08x}", [])
        )
    return pos, neg


def phone_cases() -> tuple[list[Case], list[Case]]:
    rng = random.Random(RNG_SEED + 5)
    pos: list[Case] = []
    for i in range(60):
        kind = i % 5
        if kind == 0:
            area, ex, line = rng.randrange(201, 990), rng.randrange(200, 990), rng.randrange(10**4)
            if area % 100 == 11 or ex % 100 == 11:
                area, ex = 415, 555
            shown, value = f"+1 {area} {ex} {line:04d}", f"+1{area}{ex}{line:04d}"
        elif kind == 1:
            area, ex, line = rng.randrange(201, 990), rng.randrange(200, 990), rng.randrange(10**4)
            if area % 100 == 11 or ex % 100 == 11:
                area, ex = 415, 555
            shown, value = f"({area}) {ex}-{line:04d}", f"+1{area}{ex}{line:04d}"
        elif kind == 2:
            digits = (
                "1"
                + str(rng.randrange(3, 10))
                + "".join(rng.choice("0123456789") for _ in range(9))
            )
            shown = digits if i % 2 else f"{digits[:3]} {digits[3:7]} {digits[7:]}"
            value = "+86" + digits
        elif kind == 3:
            shown, value = "+44 20 7946 0" + f"{rng.randrange(1000):03d}", ""
            value = "+" + "".join(c for c in shown if c.isdigit())
        else:
            num = f"010-{rng.randrange(10**7, 10**8)}"
            shown, value = f"电话\uff1a{num}", "".join(c for c in num if c.isdigit())
        text = f"Reach me on {shown} after 5pm." if kind != 4 else shown
        pos.append((text, [value]))
    neg: list[Case] = [
        (t, [])
        for t in [
            "Due 2024-01-15", "On 15.01.2024", "At 12:30:45", "Total 1,234,567.89",
            "Price $12,345", "Host 192.168.100.200", "Version v2.10.3", "ISBN 978-3-16-148410-0",
            "Order ORD-2024-000123", "Card 4111111111111111", "10000 units", "ZIP 94103-1234",
            "SSN-like 123-45-6789", "Ext 555-1234", "Year 2024 555 2671 items", "Pi 3.14159265",
            "Range 100-200-300", "Ratio 16:9", "Account 0532013000", "ID 11010519491231002X",
            "Temp -40.5 C", "Lot 2031 4471", "N11 code 411-555-1234", "(911) 555-1234",
        ]
    ]  # fmt: skip
    for _ in range(30):
        amount = f"{rng.randrange(10**6):,}.{rng.randrange(100):02d}"
        paid = f"{rng.randrange(1, 28)}/{rng.randrange(1, 12)}"
        neg.append((f"Invoice total {amount} paid {paid}", []))
    return pos, neg


FIXTURES: dict[str, Callable[[], tuple[list[Case], list[Case]]]] = {
    "card_pan": card_cases,
    "iban": iban_cases,
    "cn_resident_id": cn_cases,
    "vin": vin_cases,
    "email": email_cases,
    "phone": phone_cases,
}


def test_fixtures_cover_every_builtin_entity() -> None:
    assert set(FIXTURES) == set(BUILTIN_ENTITIES)


@pytest.mark.parametrize("entity", list(FIXTURES))
def test_precision_and_recall(entity: str, capsys: pytest.CaptureFixture[str]) -> None:
    positives, negatives = FIXTURES[entity]()
    assert len(positives) >= 50 and len(negatives) >= 50
    recognizer = builtin_recognizer(entity)
    tp = fp = fn = 0
    misses: list[str] = []
    for text, expected in positives + negatives:
        found = [m.value for m in recognizer.find(text)]
        for value in expected:
            if value in found:
                tp += 1
                found.remove(value)
            else:
                fn += 1
                misses.append(f"missed in {text!r}")
        fp += len(found)
        misses += [f"false alarm {v!r} in {text!r}" for v in found]
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    with capsys.disabled():
        print(
            f"\n[recognizer] {entity:15s} positives={len(positives):3d}"
            f" negatives={len(negatives):3d} precision={precision:.3f} recall={recall:.3f}"
        )
    assert precision == 1.0 and recall == 1.0, misses[:10]


@pytest.mark.parametrize(
    ("entity", "value", "masked"),
    [
        ("card_pan", "4111111111111111", "411111******1111"),
        ("card_pan", "378282246310005", "378282*****0005"),
        ("iban", "GB82WEST12345698765432", "GB****************5432"),
        ("cn_resident_id", "11010519491231002X", "**************002X"),
        ("vin", "JH2RC3605MM101581", "JH2RC3605MM******"),
        ("email", "john.smith@example.com", "j***@example.com"),
        ("phone", "+14155552671", "+*******2671"),
        ("card_pan", "4111111111111111", "[CARD_PAN REDACTED]"),
    ],
)
def test_masks(entity: str, value: str, masked: str) -> None:
    style: MaskStyle = "full" if masked.startswith("[") else "partial"
    assert mask_value(entity, value, style) == masked
    assert value not in mask_value(entity, value, style)


def test_generators_agree_with_published_examples() -> None:
    # Guards the test's own generators against drift: published valid values.
    assert luhn_check_digit("411111111111111") == "1"
    assert iban_with_check("GB", "WEST12345698765432") == "GB82WEST12345698765432"
    assert cn_check("11010519491231002") == "X"
    assert vin_check("JH2RC3605MM101581") == "5"


@given(st.text(alphabet="0123456789", min_size=12, max_size=18))
def test_luhn_agrees_with_the_independent_generator(payload: str) -> None:
    assert luhn_valid(payload + luhn_check_digit(payload))
    wrong = str((int(luhn_check_digit(payload)) + 3) % 10)
    assert not luhn_valid(payload + wrong)


@given(
    st.text(alphabet="ABCDEFGHJKLMNPRSTUVWXYZ0123456789", min_size=14, max_size=26),
    st.sampled_from(sorted(IBAN_TEST_LENGTHS)),
)
def test_iban_agrees_with_the_independent_generator(chars: str, country: str) -> None:
    bban = (chars * 2)[: IBAN_TEST_LENGTHS[country] - 4]
    iban = iban_with_check(country, bban)
    assert is_valid_iban(iban)
    assert not is_valid_iban(iban[:2] + f"{(int(iban[2:4]) + 1) % 100:02d}" + iban[4:])


@given(st.text(max_size=60), st.text(max_size=60), st.integers(0, 10**6))
def test_masked_text_never_contains_the_pan(before: str, after: str, seed: int) -> None:
    pan = make_pan(random.Random(seed), "4", 16)
    recognizer = builtin_recognizer("card_pan")
    text = f"{before} {pan} {after}"
    found = [m for m in recognizer.find(text) if m.value == pan]
    assert found, text
    assert pan not in mask_value("card_pan", found[0].value)


@pytest.mark.parametrize(
    "text",
    ['{"risk_weight": 0.25066147886538653}', "ratio 4111111111111111.5 here"],
)
def test_the_digits_of_a_decimal_number_are_no_card(text: str) -> None:
    # 25066147886538653 and 4111111111111111 pass Luhn, but they are parts of decimals.
    assert list(builtin_recognizer("card_pan").find(text)) == []
