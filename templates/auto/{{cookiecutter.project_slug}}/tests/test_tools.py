"""Finance domain tools against the worked examples, with independently computed expectations."""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from decimal import Decimal
from typing import Any

import pydantic
import pytest
from langchain_core.utils.function_calling import convert_to_openai_tool
from toolkit.tooling import as_langchain_tools, collect_tools, openai_tool_schema

from {{ cookiecutter.package_name }} import tools

TOOL_NAMES = [
    "affordability_check",
    "compound_interest",
    "detect_structuring",
    "escalate_to_bsa_officer",
    "ifrs9_stage",
    "irb_capital",
    "loan_amortization",
    "set_credit_limit",
    "validate_account_id",
]
WRITE_TOOLS = {"escalate_to_bsa_officer", "set_credit_limit"}


def _d(value: float) -> Decimal:
    return Decimal(repr(value))


# ----------------------------------------------------------------------------- compound interest


def _future_value_by_periods(principal: float, annual_rate: float, years: int, m: int) -> float:
    # Period by period, as a passbook would add interest: an independent check of P(1+r/m)^(mt).
    balance = Decimal(repr(principal))
    for _ in range(years * m):
        balance += balance * Decimal(repr(annual_rate)) / m
    return float(balance)


@pytest.mark.parametrize(
    ("principal", "rate", "years", "m"),
    [(25000, 0.035, 7, 4), (10000, 0.05, 3, 12), (2500, 0.041, 18, 2), (50000, 0.0275, 10, 1)],
)
def test_compound_interest_matches_period_by_period_growth(
    principal: float, rate: float, years: int, m: int
) -> None:
    result = tools.compound_interest(
        principal=principal, annual_rate=rate, years=years, compounds_per_year=m
    )
    expected = _future_value_by_periods(principal, rate, years, m)
    assert result.amount == pytest.approx(round(expected, 2), abs=0.005)
    assert result.interest == pytest.approx(result.amount - principal, abs=1e-9)
    assert result.effective_annual_rate == pytest.approx((1 + rate / m) ** m - 1)


def test_compound_interest_quarterly_worked_example() -> None:
    # 25,000 at 3.5% for 7 years, quarterly: 25,000 * 1.00875**28.
    result = tools.compound_interest(
        principal=25000, annual_rate=0.035, years=7, compounds_per_year=4
    )
    assert result.amount == 31906.51
    assert result.interest == 6906.51
    assert tools.compound_interest(principal=25000, annual_rate=0.035, years=7).amount == 31929.14


def test_compound_interest_rejects_bad_input() -> None:
    with pytest.raises(pydantic.ValidationError, match="compounds_per_year"):
        tools.compound_interest(principal=1000, annual_rate=0.03, years=2, compounds_per_year=0)
    with pytest.raises(pydantic.ValidationError, match="years"):
        tools.compound_interest(principal=1000, annual_rate=0.03, years=-1)


# ----------------------------------------------------------------------------- 1. amortization


def _closed_form_payment(principal: float, annual_rate: float, n: int) -> float:
    # The equivalent form P·r / (1 - (1+r)^-n), in floating point.
    r = annual_rate / 12
    return principal * r / (1 - (1 + r) ** -n)


def test_example_1_mortgage_payment_and_total_interest() -> None:
    result = tools.loan_amortization(principal=200000, annual_rate=0.06, n_months=360)
    exact = _closed_form_payment(200000, 0.06, 360)
    assert round(exact, 2) == 1199.10
    assert result.payment == 1199.10
    assert round(360 * exact - 200000, 2) == 231676.38
    assert result.total_interest == 231676.38
    assert result.total_paid == 431676.38


def test_example_1_schedule_is_consistent_and_last_row_absorbs_rounding() -> None:
    result = tools.loan_amortization(principal=200000, annual_rate=0.06, n_months=360)
    rows = result.schedule
    assert [row.month for row in rows] == list(range(1, 361))
    assert all(row.payment == 1199.10 for row in rows[:-1])
    # 359 payments of 1,199.10 plus the last one pay back principal + total interest.
    assert rows[-1].payment == 1199.48
    assert rows[-1].balance == 0
    assert sum(_d(row.principal) for row in rows) == Decimal("200000.00")
    assert sum(_d(row.interest) for row in rows) == Decimal("231676.38")
    for row in rows:
        assert _d(row.interest) + _d(row.principal) == _d(row.payment)
    # Interest rows follow the exact annuity balance B(k) = P(1+r)^k - M((1+r)^k - 1)/r.
    r, m = 0.005, _closed_form_payment(200000, 0.06, 360)
    for row in rows[:-1]:
        k = row.month - 1
        balance = 200000 * (1 + r) ** k - m * ((1 + r) ** k - 1) / r
        assert abs(row.interest - balance * r) <= 0.01 + 1e-9
    assert rows[0].interest == 1000.00
    assert rows[0].principal == 199.10
    assert rows[0].balance == 199800.90


@pytest.mark.parametrize(
    ("principal", "annual_rate", "n"),
    [
        (13.44, 0.2576, 163),  # a payment of a few cents: rounding it up would overpay
        (39.97, 0.5396, 238),
        (0.01, 0.05, 600),
        (1_000_000_000, 1.0, 600),  # interest nearly equals the payment for decades
        (250_000, 0.0375, 180),
    ],
)
def test_schedule_invariants_hold_for_extreme_loans(
    principal: float, annual_rate: float, n: int
) -> None:
    result = tools.loan_amortization(principal=principal, annual_rate=annual_rate, n_months=n)
    rows = result.schedule
    assert len(rows) == n
    assert sum(_d(row.principal) for row in rows) == _d(principal).quantize(Decimal("0.01"))
    assert sum(_d(row.interest) for row in rows) == _d(result.total_interest)
    assert rows[-1].balance == 0
    for row in rows:
        assert min(row.payment, row.interest, row.principal, row.balance) >= 0
        assert _d(row.interest) + _d(row.principal) == _d(row.payment)
    exact = _closed_form_payment(principal, annual_rate, n)
    assert abs(result.payment - exact) <= 0.01
    assert result.total_interest == pytest.approx(n * exact - principal, abs=0.01, rel=1e-9)


@pytest.mark.parametrize(
    ("principal", "n", "payment", "last"),
    [
        (1000, 3, 333.33, 333.34),
        (12000, 12, 1000.00, 1000.00),
        (100, 7, 14.29, 14.26),
        # 10/600 = 0.0167: rounded up to 0.02 it would repay the loan by month 500,
        # so the payment is rounded down and the last row takes 10 - 599 x 0.01.
        (10, 600, 0.01, 4.01),
    ],
)
def test_zero_rate_pays_principal_over_n(
    principal: float, n: int, payment: float, last: float
) -> None:
    result = tools.loan_amortization(principal=principal, annual_rate=0, n_months=n)
    assert result.payment == payment
    assert result.total_interest == 0
    assert result.schedule[-1].payment == last
    assert all(row.balance > 0 for row in result.schedule[:-1])
    assert sum(_d(row.payment) for row in result.schedule) == _d(float(principal)).quantize(
        Decimal("0.01")
    )


def test_one_month_loan_repays_principal_plus_one_month_interest() -> None:
    result = tools.loan_amortization(principal=1000, annual_rate=0.12, n_months=1)
    assert result.payment == 1010.00
    assert result.total_interest == 10.00
    assert len(result.schedule) == 1


@pytest.mark.parametrize(
    "kwargs",
    [
        {"principal": 0, "annual_rate": 0.06, "n_months": 360},
        {"principal": -5, "annual_rate": 0.06, "n_months": 360},
        {"principal": 1000, "annual_rate": 6, "n_months": 360},
        {"principal": 1000, "annual_rate": -0.01, "n_months": 360},
        {"principal": 1000, "annual_rate": 0.06, "n_months": 0},
        {"principal": 1000, "annual_rate": 0.06, "n_months": 601},
        {"principal": 1000, "annual_rate": 0.06, "n_months": 12.5},
        {"principal": 1000, "annual_rate": 0.06},
    ],
)
def test_loan_amortization_rejects_invalid_input(kwargs: dict[str, Any]) -> None:
    with pytest.raises(pydantic.ValidationError):
        tools.loan_amortization(**kwargs)


# ----------------------------------------------------------------------------- 2. affordability


def test_example_2_affordability_passes_at_43_percent() -> None:
    result = tools.affordability_check(
        gross_monthly_income=8000, monthly_debt=900, new_payment=1199.10
    )
    assert result.dti == pytest.approx((900 + 1199.10) / 8000)
    assert round(result.dti * 100, 1) == 26.2
    assert result.pti == pytest.approx(1199.10 / 8000)
    assert result.passes is True
    assert result.reasons == []


@pytest.mark.parametrize(
    ("income", "debt", "new", "dti_max", "passes"),
    [
        (10000, 3000, 1300, 0.43, True),  # exactly at the cap passes
        (10000, 3000, 1301, 0.43, False),
        (5000, 1500, 800, 0.43, False),
        (5000, 1500, 800, 0.50, True),
        (4000, 0, 0, 0.43, True),
    ],
)
def test_affordability_cap_is_a_parameter(
    income: float, debt: float, new: float, dti_max: float, passes: bool
) -> None:
    result = tools.affordability_check(
        gross_monthly_income=income, monthly_debt=debt, new_payment=new, dti_max=dti_max
    )
    assert result.passes is passes
    assert bool(result.reasons) is not passes
    assert len(result.reasons) <= 4


def test_affordability_reasons_name_the_ratio() -> None:
    result = tools.affordability_check(
        gross_monthly_income=5000, monthly_debt=2500, new_payment=800
    )
    assert "66.0%" in result.reasons[0]
    assert "43.0%" in result.reasons[0]
    assert len(result.reasons) == 2  # existing debt alone is above the cap


@pytest.mark.parametrize(
    "kwargs",
    [
        {"gross_monthly_income": 0, "monthly_debt": 1, "new_payment": 1},
        {"gross_monthly_income": 100, "monthly_debt": -1, "new_payment": 1},
        {"gross_monthly_income": 100, "monthly_debt": 1, "new_payment": 1, "dti_max": 43},
        {"gross_monthly_income": 100, "monthly_debt": 1, "new_payment": 1, "dti_max": 0},
    ],
)
def test_affordability_rejects_invalid_input(kwargs: dict[str, Any]) -> None:
    with pytest.raises(pydantic.ValidationError):
        tools.affordability_check(**kwargs)


# ----------------------------------------------------------------------------- 3. IRB capital


def _norm_cdf(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2))


def _norm_ppf(p: float) -> float:
    # Bisection on the erfc-based CDF: a different algorithm from statistics.NormalDist.
    lo, hi = -40.0, 40.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if _norm_cdf(mid) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _expected_irb(
    pd: float, lgd: float, segment: Any, maturity: float = 2.5
) -> tuple[float, float]:
    if segment == "mortgage":
        r = 0.15
    elif segment == "qrre":
        r = 0.04
    else:
        k_factor, low, high = (35, 0.03, 0.16) if segment == "other_retail" else (50, 0.12, 0.24)
        w = (1 - math.exp(-k_factor * pd)) / (1 - math.exp(-k_factor))
        r = low * w + high * (1 - w)
    k = (
        lgd * _norm_cdf((_norm_ppf(pd) + math.sqrt(r) * _norm_ppf(0.999)) / math.sqrt(1 - r))
        - pd * lgd
    )
    if segment == "corporate":
        b = (0.11852 - 0.05478 * math.log(pd)) ** 2
        k *= (1 + (maturity - 2.5) * b) / (1 - 1.5 * b)
    return r, k


def test_example_3_other_retail_capital() -> None:
    result = tools.irb_capital(pd=0.02, lgd=0.45, ead=10000, segment="other_retail")
    r, k = _expected_irb(0.02, 0.45, "other_retail")
    assert pytest.approx(r, rel=1e-12) == result.R
    assert pytest.approx(k, rel=1e-7) == result.K
    assert round(result.R, 4) == 0.0946
    assert round(result.K * 100, 2) == 4.64
    assert result.rwa == pytest.approx(5798.6, abs=0.1)
    assert result.rwa == pytest.approx(12.5 * k * 10000, abs=0.01)
    assert round(result.risk_weight * 100) == 58
    assert result.el == 90.00


@pytest.mark.parametrize(
    ("pd", "lgd", "segment", "maturity"),
    [
        (0.005, 0.20, "mortgage", 2.5),
        (0.03, 0.80, "qrre", 2.5),
        (0.10, 0.45, "other_retail", 2.5),
        (0.01, 0.40, "corporate", 3.0),
        (0.0003, 0.45, "corporate", 1.0),
        (0.20, 0.45, "corporate", 5.0),
    ],
)
def test_irb_capital_matches_independent_computation(
    pd: float, lgd: float, segment: Any, maturity: float
) -> None:
    result = tools.irb_capital(pd=pd, lgd=lgd, ead=1_000_000, segment=segment, maturity=maturity)
    r, k = _expected_irb(pd, lgd, segment, maturity)
    assert pytest.approx(r, rel=1e-12) == result.R
    assert pytest.approx(k, rel=1e-7) == result.K
    assert result.risk_weight == pytest.approx(12.5 * k, rel=1e-7)
    assert result.rwa == pytest.approx(12.5 * k * 1_000_000, abs=0.01)
    assert result.el == pytest.approx(pd * lgd * 1_000_000, abs=0.005)


@pytest.mark.parametrize(("segment", "r"), [("mortgage", 0.15), ("qrre", 0.04)])
def test_fixed_correlations(segment: Any, r: float) -> None:
    assert r == tools.irb_capital(pd=0.01, lgd=0.3, ead=1, segment=segment).R


def test_corporate_capital_grows_with_maturity_and_retail_ignores_it() -> None:
    short = tools.irb_capital(pd=0.01, lgd=0.45, ead=1, segment="corporate", maturity=1)
    long = tools.irb_capital(pd=0.01, lgd=0.45, ead=1, segment="corporate", maturity=5)
    assert long.K > short.K
    retail = [
        tools.irb_capital(pd=0.01, lgd=0.45, ead=1, segment="other_retail", maturity=m).K
        for m in (1, 5)
    ]
    assert retail[0] == retail[1]


@pytest.mark.parametrize("segment", ["mortgage", "qrre", "other_retail", "corporate"])
def test_pd_zero_and_one_give_no_unexpected_loss(segment: Any) -> None:
    zero = tools.irb_capital(pd=0, lgd=0.45, ead=10000, segment=segment)
    assert (zero.K, zero.rwa, zero.risk_weight, zero.el) == (0, 0, 0, 0)
    one = tools.irb_capital(pd=1, lgd=0.45, ead=10000, segment=segment)
    assert (one.K, one.rwa, one.risk_weight) == (0, 0, 0)
    assert one.el == 4500.00


@pytest.mark.parametrize(
    "kwargs",
    [
        {"pd": 1.5, "lgd": 0.45, "ead": 1, "segment": "other_retail"},
        {"pd": -0.01, "lgd": 0.45, "ead": 1, "segment": "other_retail"},
        {"pd": 0.02, "lgd": 45, "ead": 1, "segment": "other_retail"},
        {"pd": 0.02, "lgd": 0.45, "ead": -1, "segment": "other_retail"},
        {"pd": 0.02, "lgd": 0.45, "ead": 1, "segment": "sme"},
        {"pd": 0.02, "lgd": 0.45, "ead": 1, "segment": "corporate", "maturity": 7},
    ],
)
def test_irb_capital_rejects_invalid_input(kwargs: dict[str, Any]) -> None:
    with pytest.raises(pydantic.ValidationError):
        tools.irb_capital(**kwargs)


# ----------------------------------------------------------------------------- 4. account ids


def _iban_ok(iban: str) -> bool:
    # ISO 7064 MOD 97-10 computed piecewise (nine digits at a time), not via one big integer.
    moved = iban[4:] + iban[:4]
    digits = "".join(str(ord(ch) - 55) if ch.isalpha() else ch for ch in moved)
    remainder = 0
    while digits:
        chunk, digits = digits[:9], digits[9:]
        remainder = int(str(remainder) + chunk) % 97
    return remainder == 1


def _luhn_valid(number: str) -> bool:
    total = 0
    for index, ch in enumerate(number[::-1]):
        total += sum(int(c) for c in str(int(ch) * (2 if index % 2 else 1)))
    return total % 10 == 0


def test_example_4_iban_and_card_are_valid_and_card_is_masked() -> None:
    iban = tools.validate_account_id(value="GB82 WEST 1234 5698 7654 32", kind="iban")
    assert _iban_ok("GB82WEST12345698765432")
    assert iban.valid is True
    assert iban.normalized == "GB82WEST12345698765432"
    card = tools.validate_account_id(value="4111111111111111", kind="card_pan")
    assert _luhn_valid("4111111111111111")
    assert card.valid is True
    assert card.normalized == "411111******1111"


@pytest.mark.parametrize(
    "iban",
    [
        "DE89 3704 0044 0532 0130 00",
        "NL91ABNA0417164300",
        "fr14 2004 1010 0505 0001 3m02 606",
        "BE68539007547034",
        "NO9386011117947",
        "CH9300762011623852957",
        "MT84MALT011000012345MTLCAST001S",
        "GB29 NWBK 6016 1331 9268 19",
    ],
)
def test_registry_example_ibans_are_valid(iban: str) -> None:
    compact = iban.replace(" ", "").upper()
    assert _iban_ok(compact)
    result = tools.validate_account_id(value=iban, kind="iban")
    assert result.valid is True
    assert result.normalized == compact


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("GB82 WEST 1234 5698 7654 3", "22 characters"),  # one short
        ("GB82 WEST 1234 5698 7654 321", "22 characters"),  # one long
        ("DE89 3704 0044 0532 0130 0", "22 characters"),
        ("GB83 WEST 1234 5698 7654 32", "mod 97"),  # wrong check digits
        ("GB82 WEST 1234 5698 7654 23", "mod 97"),  # transposed digits
        ("GB00 WEST 1234 5698 7654 32", "02 to 98"),
        ("XX82 WEST 1234 5698 7654 32", "not in the IBAN registry"),
        ("GB82-WEST-1234-5698-7654-32", "letters, digits and spaces"),
        ("1234", "country code"),
    ],
)
def test_invalid_ibans_say_why(value: str, needle: str) -> None:
    result = tools.validate_account_id(value=value, kind="iban")
    assert result.valid is False
    assert needle in result.reason


def test_iban_length_table_covers_the_registry() -> None:
    lengths = tools.IBAN_LENGTHS
    assert len(lengths) == 89
    assert all(len(code) == 2 and code.isupper() for code in lengths)
    assert all(15 <= n <= 34 for n in lengths.values())
    assert (
        lengths["NO"],
        lengths["BE"],
        lengths["GB"],
        lengths["FR"],
        lengths["RU"],
        lengths["LC"],
    ) == (
        15,
        16,
        22,
        27,
        33,
        32,
    )


@pytest.mark.parametrize(
    ("value", "valid", "masked"),
    [
        ("4111 1111 1111 1111", True, "411111******1111"),
        ("4111-1111-1111-1111", True, "411111******1111"),
        ("5555555555554444", True, "555555******4444"),
        ("378282246310005", True, "378282*****0005"),
        ("4111111111111112", False, "411111******1112"),
        ("4111111111111121", False, "411111******1121"),
        ("1234567890123", False, "123456***0123"),
    ],
)
def test_card_numbers_use_luhn_and_are_masked(value: str, valid: bool, masked: str) -> None:
    digits = value.replace(" ", "").replace("-", "")
    assert _luhn_valid(digits) is valid
    result = tools.validate_account_id(value=value, kind="card_pan")
    assert result.valid is valid
    assert result.normalized == masked
    assert digits not in json.dumps(result.model_dump())


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("41111111111", "12 to 19 digits"),
        ("41111111111111111111", "12 to 19 digits"),
        ("4111 1111 1111 111a", "only digits"),
    ],
)
def test_malformed_card_numbers(value: str, needle: str) -> None:
    result = tools.validate_account_id(value=value, kind="card_pan")
    assert result.valid is False
    assert result.normalized is None
    assert needle in result.reason


@pytest.mark.parametrize(
    "kwargs",
    [
        {"value": "", "kind": "iban"},
        {"value": "4111111111111111", "kind": "bic"},
        {"value": "x" * 65, "kind": "iban"},
    ],
)
def test_validate_account_id_rejects_invalid_input(kwargs: dict[str, Any]) -> None:
    with pytest.raises(pydantic.ValidationError):
        tools.validate_account_id(**kwargs)


# ----------------------------------------------------------------------------- 5. structuring


def _txn(customer: str, day: int, amount: float, kind: str = "cash") -> Any:
    return {"customer_id": customer, "date": dt.date(2026, 3, day), "amount": amount, "type": kind}


def test_example_5_three_deposits_just_under_threshold() -> None:
    txns = [_txn("C1", 2, 9500), _txn("C1", 3, 9800), _txn("C1", 4, 9700)]
    result = tools.detect_structuring(txns=txns)
    assert len(result.alerts) == 1
    alert = result.alerts[0]
    assert alert.kind == "structuring"
    assert alert.customer_id == "C1"
    assert alert.count == 3
    assert alert.total == 9500 + 9800 + 9700 == 29000
    assert (alert.start_date, alert.end_date) == (dt.date(2026, 3, 2), dt.date(2026, 3, 4))
    assert not any(a.kind == "ctr" for a in result.alerts)


def test_order_of_transactions_does_not_matter() -> None:
    txns = [_txn("C1", 2, 9500), _txn("C1", 3, 9800), _txn("C1", 4, 9700), _txn("C2", 3, 6000)]
    expected = tools.detect_structuring(txns=txns)
    shuffled = txns[:]
    random.Random(7).shuffle(shuffled)
    assert tools.detect_structuring(txns=shuffled) == expected


def test_empty_transaction_list_gives_no_alerts() -> None:
    assert tools.detect_structuring(txns=[]).alerts == []


def test_same_day_cash_above_threshold_is_a_ctr() -> None:
    result = tools.detect_structuring(
        txns=[_txn("C1", 5, 6000), _txn("C1", 5, 5000), _txn("C2", 5, 6000)]
    )
    assert [(a.kind, a.customer_id, a.total, a.count) for a in result.alerts] == [
        ("ctr", "C1", 11000, 2)
    ]


@pytest.mark.parametrize(("amount", "alerts"), [(10000, 0), (10000.01, 1)])
def test_ctr_needs_more_than_the_threshold(amount: float, alerts: int) -> None:
    assert len(tools.detect_structuring(txns=[_txn("C1", 5, amount)]).alerts) == alerts


def test_same_day_split_deposits_raise_both_alerts() -> None:
    result = tools.detect_structuring(txns=[_txn("C1", 5, 9000), _txn("C1", 5, 9900)])
    assert sorted(a.kind for a in result.alerts) == ["ctr", "structuring"]


@pytest.mark.parametrize(
    ("txns", "kwargs", "count"),
    [
        ([_txn("C1", 1, 9500), _txn("C1", 4, 9600)], {}, 0),  # four days apart, window 3
        ([_txn("C1", 1, 9500), _txn("C1", 4, 9600)], {"window_days": 4}, 1),
        ([_txn("C1", 1, 9500), _txn("C2", 2, 9600)], {}, 0),  # different customers
        ([_txn("C1", 1, 9500, "wire"), _txn("C1", 2, 9600, "wire")], {}, 0),  # not cash
        ([_txn("C1", 1, 7999), _txn("C1", 2, 7999)], {}, 0),  # below the band
        ([_txn("C1", 1, 7999), _txn("C1", 2, 7999)], {"band": 0.7}, 1),
        ([_txn("C1", 1, 9500), _txn("C1", 2, 9600)], {"min_count": 3}, 0),
        ([_txn("C1", 1, 4500), _txn("C1", 2, 4600)], {"threshold": 5000}, 1),
    ],
)
def test_structuring_parameters(txns: list[Any], kwargs: dict[str, Any], count: int) -> None:
    alerts = [
        a for a in tools.detect_structuring(txns=txns, **kwargs).alerts if a.kind == "structuring"
    ]
    assert len(alerts) == count


def test_alerts_do_not_share_transactions() -> None:
    days = [1, 2, 3, 4, 5, 6]
    txns = [_txn("C1", d, 9000 + d) for d in days]
    alerts = tools.detect_structuring(txns=txns).alerts
    assert [(a.start_date.day, a.end_date.day, a.count) for a in alerts] == [(1, 3, 3), (4, 6, 3)]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"txns": [_txn("C1", 1, -5)]},
        {"txns": [_txn("C1", 1, 9500, "crypto")]},
        {"txns": [{"customer_id": "C1", "date": "not a date", "amount": 1, "type": "cash"}]},
        {"txns": [], "band": 1.0},
        {"txns": [], "threshold": 0},
        {"txns": [], "min_count": 1},
        {"txns": [], "window_days": 0},
    ],
)
def test_detect_structuring_rejects_invalid_input(kwargs: dict[str, Any]) -> None:
    with pytest.raises(pydantic.ValidationError):
        tools.detect_structuring(**kwargs)


# ----------------------------------------------------------------------------- 6. IFRS 9


def test_example_6_45_days_past_due_is_stage_2() -> None:
    result = tools.ifrs9_stage(dpd=45)
    assert (result.stage, result.trigger) == (2, "dpd_over_30")


@pytest.mark.parametrize(
    ("kwargs", "stage", "trigger"),
    [
        ({"dpd": 0}, 1, "none"),
        ({"dpd": 30}, 1, "none"),
        ({"dpd": 31}, 2, "dpd_over_30"),
        ({"dpd": 90}, 2, "dpd_over_30"),
        ({"dpd": 91}, 3, "dpd_over_90"),
        ({"dpd": 0, "credit_impaired": True}, 3, "credit_impaired"),
        ({"dpd": 0, "pd_ratio": 2.0}, 2, "pd_ratio"),
        ({"dpd": 0, "pd_ratio": 1.99}, 1, "none"),
        ({"dpd": 0, "pd_ratio": 2.5, "sicr_ratio": 3.0}, 1, "none"),
        ({"dpd": 100, "pd_ratio": 5.0}, 3, "dpd_over_90"),
    ],
)
def test_ifrs9_stage_rules(kwargs: dict[str, Any], stage: int, trigger: str) -> None:
    result = tools.ifrs9_stage(**kwargs)
    assert (result.stage, result.trigger) == (stage, trigger)


@pytest.mark.parametrize(
    "kwargs",
    [{"dpd": -1}, {"dpd": 10, "pd_ratio": -1}, {"dpd": 10, "sicr_ratio": 0}, {"dpd": "late"}],
)
def test_ifrs9_stage_rejects_invalid_input(kwargs: dict[str, Any]) -> None:
    with pytest.raises(pydantic.ValidationError):
        tools.ifrs9_stage(**kwargs)


# ----------------------------------------------------------------------------- tool exposure


def test_every_tool_is_collected() -> None:
    specs = collect_tools(tools)
    assert [spec.name for spec in specs] == TOOL_NAMES
    for spec in specs:
        assert spec.write is (spec.name in WRITE_TOOLS)
        assert 2 <= len(spec.examples) <= 4
        assert spec.description


@pytest.mark.parametrize(
    ("tool", "argument", "unit"),
    [
        ("loan_amortization", "principal", "currency"),
        ("loan_amortization", "annual_rate", "fraction"),
        ("loan_amortization", "n_months", "months"),
        ("affordability_check", "dti_max", "fraction"),
        ("irb_capital", "pd", "fraction"),
        ("irb_capital", "lgd", "fraction"),
        ("irb_capital", "maturity", "years"),
        ("detect_structuring", "threshold", "currency"),
        ("detect_structuring", "window_days", "days"),
        ("ifrs9_stage", "dpd", "days"),
    ],
)
def test_schema_units(tool: str, argument: str, unit: str) -> None:
    (spec,) = [s for s in collect_tools(tools) if s.name == tool]
    prop = spec.json_schema()["parameters"]["properties"][argument]
    assert prop["x-unit"] == unit
    assert prop["description"]


def test_langchain_tools_have_json_schemas() -> None:
    lc_tools = as_langchain_tools(collect_tools(tools))
    assert [t.name for t in lc_tools] == TOOL_NAMES
    for lc_tool, spec in zip(lc_tools, collect_tools(tools), strict=True):
        schema = convert_to_openai_tool(lc_tool)["function"]["parameters"]
        assert set(schema["properties"]) == set(spec.json_schema()["parameters"]["properties"])
        assert "Examples: " in lc_tool.description
        entry = openai_tool_schema(spec)
        assert entry["type"] == "function"
        json.dumps(entry)
    irb = openai_tool_schema(tools.irb_capital.__domain_tool__)["function"]["parameters"]
    assert irb["properties"]["segment"]["enum"] == ["mortgage", "qrre", "other_retail", "corporate"]
    assert irb["properties"]["pd"]["minimum"] == 0
    assert irb["properties"]["pd"]["maximum"] == 1


def test_langchain_tools_run_with_json_arguments() -> None:
    by_name = {t.name: t for t in as_langchain_tools(collect_tools(tools))}
    loan = by_name["loan_amortization"].invoke(
        {"principal": 200000, "annual_rate": 0.06, "n_months": 360}
    )
    assert loan["payment"] == 1199.10
    alerts = by_name["detect_structuring"].invoke(
        {
            "txns": [
                {"customer_id": "C1", "date": "2026-03-02", "amount": 9500, "type": "cash"},
                {"customer_id": "C1", "date": "2026-03-03", "amount": 9800, "type": "cash"},
                {"customer_id": "C1", "date": "2026-03-04", "amount": 9700, "type": "cash"},
            ]
        }
    )
    assert [a["kind"] for a in alerts["alerts"]] == ["structuring"]
    with pytest.raises(pydantic.ValidationError):
        by_name["ifrs9_stage"].invoke({"dpd": -3})


# ----------------------------------------------------------------------------- write tools


def test_set_credit_limit_submits_a_deterministic_reference() -> None:
    first = tools.set_credit_limit(account="12345678", limit=20000)
    again = tools.set_credit_limit(account="12345678", limit=20000)
    assert first.status == "submitted"
    assert first.reference == again.reference
    assert first.reference != tools.set_credit_limit(account="12345678", limit=20001).reference


@pytest.mark.parametrize("account", ["1234", "12345678x", ""])
def test_set_credit_limit_rejects_bad_accounts(account: str) -> None:
    with pytest.raises(pydantic.ValidationError):
        tools.set_credit_limit(account=account, limit=1000)


def test_bsa_escalation_is_routed_not_disclosed() -> None:
    result = tools.escalate_to_bsa_officer(customer_id="C-1001", summary="structuring alert")
    assert result.status == "routed_to_bsa_officer"
    assert result.reference.startswith("BSA-")


def test_write_tools_declare_x_write() -> None:
    schemas = {spec.name: spec.parameters_schema() for spec in collect_tools(tools)}
    for name in WRITE_TOOLS:
        assert schemas[name]["x-write"] is True
    assert "x-write" not in schemas["loan_amortization"]
