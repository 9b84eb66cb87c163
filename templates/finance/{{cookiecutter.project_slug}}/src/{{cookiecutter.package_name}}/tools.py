"""Retail finance domain tools: pure, deterministic functions the agent may call.

Every tool validates its keyword arguments (pydantic raises ``ValidationError``
naming the field), takes its thresholds as parameters and returns a pydantic
model. Formulas and sources:

* ``loan_amortization``: annuity payment M = P·r(1+r)^n / ((1+r)^n - 1), r = annual/12.
* ``compound_interest``: A = P·(1 + r/m)^(m·t), effective annual rate (1 + r/m)^m - 1.
* ``affordability_check``: DTI and PTI; the 43% cap (former Reg Z general-QM) is a policy setting.
* ``irb_capital``: Basel Framework CRE31 IRB risk-weight functions.
* ``validate_account_id``: IBAN per ISO 13616 / ISO 7064 MOD 97-10; PAN per Luhn (ISO/IEC 7812-1).
* ``detect_structuring``: 31 CFR 1010.311/.313 (CTR), 31 U.S.C. 5324 (structuring).
* ``ifrs9_stage``: IFRS 9 §5.5 staging with the 30/90 days-past-due presumptions.

Only the standard library, pydantic and ``toolkit.tooling`` are imported.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext
from statistics import NormalDist
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field
from toolkit.tooling import domain_tool

__all__ = [
    "IBAN_LENGTHS",
    "AffordabilityResult",
    "AmortizationResult",
    "AmortizationRow",
    "BsaEscalation",
    "CompoundInterestResult",
    "IfrsStageResult",
    "IrbCapitalResult",
    "LimitChange",
    "StructuringAlert",
    "StructuringResult",
    "Transaction",
    "ValidationResult",
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

CENT = Decimal("0.01")
_STD_NORMAL = NormalDist()


def _unit(unit: str) -> dict[str, Any]:
    return {"x-unit": unit}


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _money(value: float) -> float:
    return float(_cents(Decimal(repr(value))))


# --------------------------------------------------------------------------- amortization


class AmortizationRow(BaseModel):
    """One month of a fixed-rate loan schedule, in currency units rounded to cents."""

    month: int = Field(description="Payment number, 1-based.")
    payment: float = Field(
        description="Amount paid this month.", json_schema_extra=_unit("currency")
    )
    interest: float = Field(
        description="Interest part of the payment.", json_schema_extra=_unit("currency")
    )
    principal: float = Field(
        description="Principal repaid this month.", json_schema_extra=_unit("currency")
    )
    balance: float = Field(
        description="Balance left after the payment.", json_schema_extra=_unit("currency")
    )


class AmortizationResult(BaseModel):
    """Monthly payment, total interest and the full schedule of a fixed-rate loan."""

    payment: float = Field(
        description="Regular monthly payment, rounded to cents.",
        json_schema_extra=_unit("currency"),
    )
    total_interest: float = Field(
        description="n·M - P with the unrounded payment M, rounded to cents; "
        "the schedule's interest column sums to it.",
        json_schema_extra=_unit("currency"),
    )
    total_paid: float = Field(
        description="Principal plus total interest.", json_schema_extra=_unit("currency")
    )
    schedule: list[AmortizationRow] = Field(
        description="One row per month; the last row absorbs rounding."
    )


@domain_tool(
    examples=(
        "Repayment plan for borrowing 35,000 at 7.9% across 60 monthly instalments.",
        "How big is each instalment on a 120k mortgage, 5.25% APR, 25-year term?",
        "借款 8 万 年化 5.5% 分 36 期 每期还款额",
    )
)
def loan_amortization(
    principal: Annotated[
        float,
        Field(
            gt=0,
            le=1e12,
            description="Amount borrowed (贷款本金, 借款金额).",
            json_schema_extra=_unit("currency"),
        ),
    ],
    annual_rate: Annotated[
        float,
        Field(
            ge=0,
            le=1,
            description="Nominal annual interest rate as a decimal fraction (6% is 0.06; 年利率).",
            json_schema_extra=_unit("fraction"),
        ),
    ],
    n_months: Annotated[
        int,
        Field(
            ge=1,
            le=600,
            description="Term in months (30 years is 360; 贷款期限, 还款期数).",
            json_schema_extra=_unit("months"),
        ),
    ],
) -> AmortizationResult:
    """Monthly payment, total interest and schedule of a fixed-rate, fully amortizing loan (月供, 还款计划).

    The payment is M = P·r(1+r)^n / ((1+r)^n - 1) with r = annual_rate/12 (P/n when
    the rate is 0), rounded to cents. Total interest is n·M - P with the unrounded
    M. Each row's interest is the exact cumulative interest rounded to cents minus
    what earlier rows showed, so every figure stays within a cent of the exact
    annuity and never goes negative; the last row absorbs the rounding, so the
    principal column sums to P and the interest column to the total interest.
    """
    with localcontext() as ctx:
        ctx.prec = 50
        p = _cents(Decimal(repr(principal)))
        r = Decimal(repr(annual_rate)) / 12
        if r == 0:
            exact_payment = p / n_months
        else:
            growth = (1 + r) ** n_months
            exact_payment = p * r * growth / (growth - 1)
        total_interest = _cents(exact_payment * n_months - p)
        payment = _cents(exact_payment)
        rows = _amortization_rows(p, r, n_months, exact_payment, payment, total_interest)
        if n_months > 1 and rows[-2].balance <= 0:
            # A payment of a few cents rounded up repays the loan before the last
            # month; rounding it down instead leaves the remainder to the last row.
            payment = exact_payment.quantize(CENT, rounding=ROUND_DOWN)
            rows = _amortization_rows(p, r, n_months, exact_payment, payment, total_interest)
    return AmortizationResult(
        payment=float(payment),
        total_interest=float(total_interest),
        total_paid=float(p + total_interest),
        schedule=rows,
    )


def _amortization_rows(
    p: Decimal,
    r: Decimal,
    n: int,
    exact_payment: Decimal,
    payment: Decimal,
    total_interest: Decimal,
) -> list[AmortizationRow]:
    rows: list[AmortizationRow] = []
    exact_balance = p
    exact_cumulative_interest = Decimal(0)
    shown_interest = Decimal(0)
    balance = p
    for month in range(1, n + 1):
        exact_interest = exact_balance * r
        exact_balance -= exact_payment - exact_interest
        exact_cumulative_interest += exact_interest
        if month < n:
            interest = min(_cents(exact_cumulative_interest) - shown_interest, payment)
            principal_part = min(payment - interest, balance)
        else:
            interest = total_interest - shown_interest
            principal_part = balance
        shown_interest += interest
        balance -= principal_part
        rows.append(
            AmortizationRow(
                month=month,
                payment=float(interest + principal_part),
                interest=float(interest),
                principal=float(principal_part),
                balance=float(balance),
            )
        )
    return rows


# --------------------------------------------------------------------------- compound interest


class CompoundInterestResult(BaseModel):
    """Future value of a deposit compounded a whole number of times a year."""

    amount: float = Field(
        description="Balance at the end, P·(1 + r/m)^(m·t), rounded to cents.",
        json_schema_extra=_unit("currency"),
    )
    interest: float = Field(
        description="Interest earned: amount minus principal, rounded to cents.",
        json_schema_extra=_unit("currency"),
    )
    effective_annual_rate: float = Field(
        description="Effective annual rate (1 + r/m)^m - 1.", json_schema_extra=_unit("fraction")
    )


@domain_tool(
    examples=(
        "What will 10,000 grow to at 5% a year over 3 years with monthly compounding?",
        "Future value of a 2,500 deposit, 4.1% nominal, 18 years, interest added twice a year.",
        "存 5 万元 年利率 2.75% 每年复利一次 10 年后本息合计多少",
    )
)
def compound_interest(
    principal: Annotated[
        float,
        Field(
            gt=0,
            le=1e12,
            description="Amount invested or deposited (本金).",
            json_schema_extra=_unit("currency"),
        ),
    ],
    annual_rate: Annotated[
        float,
        Field(
            ge=0,
            le=1,
            description="Nominal annual interest rate as a decimal fraction (3.5% is 0.035; 年利率).",
            json_schema_extra=_unit("fraction"),
        ),
    ],
    years: Annotated[
        float,
        Field(
            gt=0,
            le=100,
            description="Time invested in years (存期, 年限).",
            json_schema_extra=_unit("years"),
        ),
    ],
    compounds_per_year: Annotated[
        int,
        Field(
            ge=1,
            le=365,
            description="How many times a year interest is compounded (复利次数): "
            "1 annually, 2 semi-annually, 4 quarterly, 12 monthly, 365 daily.",
        ),
    ] = 12,
) -> CompoundInterestResult:
    """Compound interest (复利): the amount and interest of a deposit after `years`.

    A = P·(1 + r/m)^(m·t) with m = compounds_per_year and t = years (m·t need not be
    whole); interest = A - P; effective annual rate = (1 + r/m)^m - 1.
    """
    with localcontext() as ctx:
        ctx.prec = 50
        p = _cents(Decimal(repr(principal)))
        per_period = 1 + Decimal(repr(annual_rate)) / compounds_per_year
        periods = Decimal(repr(years)) * compounds_per_year
        growth = per_period**periods
        amount = _cents(p * growth)
        effective = float(per_period**compounds_per_year - 1)
    return CompoundInterestResult(
        amount=float(amount), interest=float(amount - p), effective_annual_rate=effective
    )


# --------------------------------------------------------------------------- affordability


class AffordabilityResult(BaseModel):
    """Debt-to-income and payment-to-income ratios against the policy cap."""

    dti: float = Field(
        description="(monthly_debt + new_payment) / gross_monthly_income.",
        json_schema_extra=_unit("fraction"),
    )
    pti: float = Field(
        description="new_payment / gross_monthly_income.", json_schema_extra=_unit("fraction")
    )
    passes: bool = Field(
        description="True when DTI is at or below dti_max. "
        "A recommendation only: an underwriter decides."
    )
    reasons: list[str] = Field(
        description="Why the check failed (empty when it passes), at most 4."
    )


@domain_tool(
    examples=(
        "Gross pay 6,200 per month and current obligations of 1,400: is a proposed 850 "
        "instalment within the debt-to-income cap?",
        "Would a 650 car payment on top of 1,800 existing debt break a 40% DTI limit "
        "for someone making 5,500 monthly?",
        "税前月薪 1.5 万 已有房贷 4000 再加车贷 2500 负债收入比超标吗",
    )
)
def affordability_check(
    gross_monthly_income: Annotated[
        float,
        Field(
            gt=0,
            description="Gross (pre-tax) monthly income (税前月收入, 月入, 月薪).",
            json_schema_extra=_unit("currency"),
        
        ),
    ],
    monthly_debt: Annotated[
        float,
        Field(
            ge=0,
            description="Existing monthly debt payments (现有月供, 已有负债, 已有贷款, 车贷).",
            json_schema_extra=_unit("currency"),
        
        ),
    ],
    new_payment: Annotated[
        float,
        Field(
            ge=0,
            description="Monthly payment of the new loan (新增月供, 新贷款, 再加).",
            json_schema_extra=_unit("currency"),
        ),
    ],
    dti_max: Annotated[
        float,
        Field(
            gt=0,
            le=1,
            description="Maximum debt-to-income ratio as a fraction "
            "(policy setting; 43% is 0.43; 负债收入比上限).",
            json_schema_extra=_unit("fraction"),
        ),
    ] = 0.43,
) -> AffordabilityResult:
    """Debt-to-income (DTI) and payment-to-income (PTI) ratios of a new loan against a DTI cap.

    Also called an affordability check (负债收入比, 还款能力).

    DTI = (monthly_debt + new_payment) / income and PTI = new_payment / income.
    The result is a recommendation for an underwriter, never a credit decision.
    """
    dti = (monthly_debt + new_payment) / gross_monthly_income
    pti = new_payment / gross_monthly_income
    passes = dti <= dti_max
    reasons: list[str] = []
    if not passes:
        reasons.append(f"Debt-to-income ratio {dti:.1%} exceeds the {dti_max:.1%} maximum.")
        if monthly_debt / gross_monthly_income > dti_max:
            reasons.append("Existing debt alone exceeds the maximum debt-to-income ratio.")
    return AffordabilityResult(dti=dti, pti=pti, passes=passes, reasons=reasons)


# --------------------------------------------------------------------------- IRB capital

Segment = Literal["mortgage", "qrre", "other_retail", "corporate"]


class IrbCapitalResult(BaseModel):
    """Basel IRB capital for one exposure (CRE31)."""

    R: float = Field(description="Asset correlation.")
    K: float = Field(
        description="Capital requirement per unit of EAD.", json_schema_extra=_unit("fraction")
    )
    rwa: float = Field(
        description="Risk-weighted assets, 12.5·K·EAD, rounded to cents.",
        json_schema_extra=_unit("currency"),
    )
    risk_weight: float = Field(
        description="RWA / EAD = 12.5·K.", json_schema_extra=_unit("fraction")
    )
    el: float = Field(
        description="Expected loss PD·LGD·EAD, rounded to cents.",
        json_schema_extra=_unit("currency"),
    )


def _correlation(pd: float, segment: Segment) -> float:
    if segment == "mortgage":
        return 0.15
    if segment == "qrre":
        return 0.04
    k, low, high = (35.0, 0.03, 0.16) if segment == "other_retail" else (50.0, 0.12, 0.24)
    weight = (1 - math.exp(-k * pd)) / (1 - math.exp(-k))
    return low * weight + high * (1 - weight)


@domain_tool(
    examples=(
        "Risk-weighted assets of a credit-card book: PD 3.5%, LGD 80%, exposure 250k.",
        "Corporate borrower, default probability 1.2%, loss severity 40%, 5m exposure, "
        "4-year maturity: capital charge?",
        "住房按揭 违约概率 0.5% 违约损失率 20% 敞口 30 万 风险权重",
    )
)
def irb_capital(
    pd: Annotated[
        float,
        Field(
            ge=0,
            le=1,
            description="Probability of default over one year, as a fraction (违约概率).",
            json_schema_extra=_unit("fraction"),
        ),
    ],
    lgd: Annotated[
        float,
        Field(
            ge=0,
            le=1,
            description="Loss given default, as a fraction (违约损失率).",
            json_schema_extra=_unit("fraction"),
        ),
    ],
    ead: Annotated[
        float,
        Field(
            ge=0,
            description="Exposure at default (违约风险暴露, 敞口).",
            json_schema_extra=_unit("currency"),
        ),
    ],
    segment: Annotated[
        Segment,
        Field(
            description="Basel asset class: mortgage (residential mortgage, 住房按揭, 房贷), "
            "qrre (qualifying revolving retail, credit card, 信用卡), "
            "other_retail (other retail, 其他零售) or corporate (企业, 公司)."
        ),
    ],
    maturity: Annotated[
        float,
        Field(
            ge=1,
            le=5,
            description="Effective maturity M in years "
            "(corporate only; Basel floors it at 1, caps it at 5).",
            json_schema_extra=_unit("years"),
        ),
    ] = 2.5,
) -> IrbCapitalResult:
    """Basel IRB capital requirement K, RWA, risk weight and expected loss (CRE31; IRB 资本要求).

    K = LGD·N[(G(PD) + √R·G(0.999)) / √(1-R)] - PD·LGD, times the maturity
    adjustment (1 + (M - 2.5)·b) / (1 - 1.5·b) with b = (0.11852 - 0.05478·ln PD)²
    for corporates. R is 0.15 (mortgage), 0.04 (QRRE), or the PD-weighted mix of
    0.03/0.16 (other retail, k = 35) and 0.12/0.24 (corporate, k = 50).
    No PD floor is applied; PD = 0 and PD = 1 both give K = 0.
    """
    r = _correlation(pd, segment)
    if pd in (0.0, 1.0):
        # N(-∞) = 0 and N(+∞) = 1: no unexpected loss either way.
        k = 0.0
    else:
        z = (_STD_NORMAL.inv_cdf(pd) + math.sqrt(r) * _STD_NORMAL.inv_cdf(0.999)) / math.sqrt(1 - r)
        k = lgd * _STD_NORMAL.cdf(z) - pd * lgd
        if segment == "corporate":
            b = (0.11852 - 0.05478 * math.log(pd)) ** 2
            k *= (1 + (maturity - 2.5) * b) / (1 - 1.5 * b)
        k = max(k, 0.0)
    return IrbCapitalResult(
        R=r,
        K=k,
        rwa=_money(12.5 * k * ead),
        risk_weight=12.5 * k,
        el=_money(pd * lgd * ead),
    )


# --------------------------------------------------------------------------- account ids

IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
    "BH": 22, "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24,
    "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18,
    "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27,
    "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20,
    "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20,
    "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
    "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
    "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
    "YE": 30,
}  # fmt: skip
"""IBAN length per country code, from the SWIFT IBAN Registry (ISO 13616), 89 prefixes."""


class ValidationResult(BaseModel):
    """Outcome of an account identifier check."""

    valid: bool = Field(description="True when the identifier passes every check.")
    normalized: str | None = Field(
        description="IBAN in electronic format (no spaces, upper case), "
        "or the PAN masked as BIN + last 4; "
        "None when the value has characters that cannot be normalized."
    )
    reason: str = Field(description="Which check failed, or what passed.")


def _iban_mod97(iban: str) -> int:
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97


def _check_iban(value: str) -> ValidationResult:
    compact = "".join(value.split()).upper()
    if not compact.isascii() or not compact.isalnum():
        return ValidationResult(
            valid=False, normalized=None, reason="An IBAN contains only letters, digits and spaces."
        )
    country = compact[:2]
    if len(compact) < 4 or not country.isalpha() or not compact[2:4].isdigit():
        return ValidationResult(
            valid=False,
            normalized=compact,
            reason="An IBAN starts with a two-letter country code and two check digits.",
        )
    expected = IBAN_LENGTHS.get(country)
    if expected is None:
        return ValidationResult(
            valid=False, normalized=compact, reason=f"{country} is not in the IBAN registry."
        )
    if len(compact) != expected:
        return ValidationResult(
            valid=False,
            normalized=compact,
            reason=f"A {country} IBAN has {expected} characters; this one has {len(compact)}.",
        )
    if not 2 <= int(compact[2:4]) <= 98:
        return ValidationResult(
            valid=False, normalized=compact, reason="IBAN check digits must be 02 to 98."
        )
    if _iban_mod97(compact) != 1:
        return ValidationResult(
            valid=False, normalized=compact, reason="IBAN checksum failed (mod 97 is not 1)."
        )
    return ValidationResult(
        valid=True, normalized=compact, reason="Valid IBAN: country length and mod 97 check passed."
    )


def _luhn_ok(digits: str) -> bool:
    total = 0
    for position, ch in enumerate(reversed(digits)):
        d = int(ch)
        if position % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _mask_pan(digits: str) -> str:
    return digits[:6] + "*" * (len(digits) - 10) + digits[-4:]


def _check_pan(value: str) -> ValidationResult:
    digits = value.replace(" ", "").replace("-", "")
    if not digits.isascii() or not digits.isdigit():
        return ValidationResult(
            valid=False,
            normalized=None,
            reason="A card number contains only digits, spaces and dashes.",
        )
    if not 12 <= len(digits) <= 19:
        return ValidationResult(
            valid=False,
            normalized=None,
            reason=f"A card number has 12 to 19 digits; this one has {len(digits)}.",
        )
    masked = _mask_pan(digits)
    if not _luhn_ok(digits):
        return ValidationResult(
            valid=False, normalized=masked, reason="Card number fails the Luhn check digit."
        )
    return ValidationResult(
        valid=True, normalized=masked, reason="Valid card number: Luhn check passed."
    )


@domain_tool(
    examples=(
        "Does DE89 3704 0044 0532 0130 00 pass the IBAN checksum?",
        "Run the Luhn test on payment card 5500 0000 0000 0004.",
        "这个银行卡号 6011 1111 1111 1117 是否有效",
    )
)
def validate_account_id(
    value: Annotated[
        str,
        Field(
            min_length=1,
            max_length=64,
            description="The IBAN or card number as typed; "
            "spaces (and dashes for cards) are allowed.",
        ),
    ],
    kind: Annotated[
        Literal["iban", "card_pan"],
        Field(
            description="iban (IBAN, bank account, 银行账户) or card_pan (card, card number, "
            "payment card, 银行卡, 卡号)."
        ),
    ],
) -> ValidationResult:
    """Check an IBAN (country length, mod 97) or a card number (Luhn) and normalize it (校验, 账号).

    A card number is returned masked as BIN + last 4 (PCI DSS 3.4.1), never in full.
    """
    if kind == "iban":
        return _check_iban(value)
    return _check_pan(value)


# --------------------------------------------------------------------------- structuring


class Transaction(BaseModel):
    """One customer transaction."""

    customer_id: str = Field(min_length=1, description="Customer identifier.")
    date: dt.date = Field(description="Booking date (YYYY-MM-DD).")
    amount: float = Field(
        gt=0, description="Transaction amount.", json_schema_extra=_unit("currency")
    )
    type: Literal["cash", "check", "wire", "ach", "card", "transfer", "other"] = Field(
        description="Instrument: cash (现金), check (支票), wire (电汇), ach, card (银行卡), "
        "transfer (转账) or other; only cash counts towards CTR and structuring."
    )
    txn_id: str | None = Field(default=None, description="Optional transaction reference.")


class StructuringAlert(BaseModel):
    """An alert for the BSA officer (never shown to the customer)."""

    kind: Literal["structuring", "ctr"] = Field(
        description="structuring: several cash transactions just under the threshold "
        "within the window; "
        "ctr: one customer's cash on one day above the threshold (currency transaction report)."
    )
    customer_id: str
    start_date: dt.date
    end_date: dt.date
    count: int = Field(description="Number of cash transactions in the alert.")
    total: float = Field(
        description="Sum of their amounts, rounded to cents.", json_schema_extra=_unit("currency")
    )
    amounts: list[float] = Field(description="The amounts, in date order.")
    txn_ids: list[str] = Field(description="References of the transactions that have one.")


class StructuringResult(BaseModel):
    """All alerts, sorted by customer, start date and kind."""

    alerts: list[StructuringAlert]


def _alert(kind: Literal["structuring", "ctr"], txns: list[Transaction]) -> StructuringAlert:
    return StructuringAlert(
        kind=kind,
        customer_id=txns[0].customer_id,
        start_date=txns[0].date,
        end_date=txns[-1].date,
        count=len(txns),
        total=float(sum((_cents(Decimal(repr(t.amount))) for t in txns), Decimal(0))),
        amounts=[t.amount for t in txns],
        txn_ids=[t.txn_id for t in txns if t.txn_id is not None],
    )


@domain_tool(
    examples=(
        "Client K-77 paid in 8,900 cash on 2026-05-11 and 9,400 on 2026-05-12: "
        "screen for splitting below the reporting threshold.",
        "Run the cash monitoring rules on today's transactions.",
        "检查这些现金存款是否存在拆分交易以规避 1 万美元申报",
    )
)
def detect_structuring(
    txns: Annotated[list[Transaction], Field(description="Transactions to screen, in any order.")],
    threshold: Annotated[
        float,
        Field(
            gt=0,
            description="Reporting threshold (CTR: more than 10,000).",
            json_schema_extra=_unit("currency"),
        ),
    ] = 10000,
    band: Annotated[
        float,
        Field(
            gt=0,
            lt=1,
            description="Lower edge of the just-below band as a fraction of the threshold.",
            json_schema_extra=_unit("fraction"),
        ),
    ] = 0.8,
    window_days: Annotated[
        int,
        Field(
            ge=1,
            le=366,
            description="Length of the sliding window in calendar days.",
            json_schema_extra=_unit("days"),
        ),
    ] = 3,
    min_count: Annotated[
        int,
        Field(
            ge=2,
            le=1000,
            description="Fewest in-band cash transactions in one window that raise an alert.",
        ),
    ] = 2,
) -> StructuringResult:
    """Screen cash transactions for structuring and currency transaction report (CTR) triggers.

    Also called cash monitoring (现金交易监测, 拆分交易).

    Structuring: per customer, at least min_count cash transactions each in
    [band·threshold, threshold) within window_days calendar days, summing above
    the threshold (31 U.S.C. 5324). Windows start at each qualifying transaction;
    once a window alerts, the next search starts after it, so alerts never share
    a transaction. CTR: one customer's cash total on one day above the threshold
    (31 CFR 1010.311/.313).
    """
    limit = Decimal(repr(threshold))
    low = limit * Decimal(repr(band))
    by_customer: dict[str, list[Transaction]] = defaultdict(list)
    for txn in txns:
        if txn.type == "cash":
            by_customer[txn.customer_id].append(txn)

    alerts: list[StructuringAlert] = []
    for customer_txns in by_customer.values():
        customer_txns.sort(key=lambda t: (t.date, t.amount))
        by_day: dict[dt.date, list[Transaction]] = defaultdict(list)
        for txn in customer_txns:
            by_day[txn.date].append(txn)
        alerts.extend(
            _alert("ctr", day_txns)
            for day_txns in by_day.values()
            if sum(Decimal(repr(t.amount)) for t in day_txns) > limit
        )

        in_band = [t for t in customer_txns if low <= Decimal(repr(t.amount)) < limit]
        start = 0
        while start < len(in_band):
            window_end = in_band[start].date + dt.timedelta(days=window_days)
            stop = start
            while stop < len(in_band) and in_band[stop].date < window_end:
                stop += 1
            window = in_band[start:stop]
            total = sum(Decimal(repr(t.amount)) for t in window)
            if len(window) >= min_count and total > limit:
                alerts.append(_alert("structuring", window))
                start = stop
            else:
                start += 1
    alerts.sort(key=lambda a: (a.customer_id, a.start_date, a.kind))
    return StructuringResult(alerts=alerts)


# --------------------------------------------------------------------------- IFRS 9


class IfrsStageResult(BaseModel):
    """IFRS 9 impairment stage of one exposure."""

    stage: Literal[1, 2, 3] = Field(
        description="1: 12-month ECL; 2: lifetime ECL (significant increase in credit risk); "
        "3: credit-impaired."
    )
    trigger: Literal["credit_impaired", "dpd_over_90", "dpd_over_30", "pd_ratio", "none"] = Field(
        description="The first rule that set the stage."
    )
    explanation: str = Field(description="One sentence for the user.")


@domain_tool(
    examples=(
        "Impairment bucket for an exposure 95 days in arrears?",
        "Stage a facility that is current but whose lifetime PD "
        "has risen 2.5 times since origination.",
        "一笔贷款拖欠 100 天 按国际财务报告准则第 9 号应归入哪一类",
    )
)
def ifrs9_stage(
    dpd: Annotated[
        int,
        Field(
            ge=0,
            le=36500,
            description="Days past due (逾期天数).",
            json_schema_extra=_unit("days"),
        ),
    ],
    credit_impaired: Annotated[
        bool, Field(description="True when there is objective evidence of impairment (default).")
    ] = False,
    pd_ratio: Annotated[
        float | None,
        Field(ge=0, description="Current lifetime PD divided by the PD at origination, if known."),
    ] = None,
    sicr_ratio: Annotated[
        float,
        Field(
            gt=0,
            description="PD ratio at or above which credit risk has increased "
            "significantly (policy).",
        ),
    ] = 2.0,
) -> IfrsStageResult:
    """IFRS 9 stage from days past due, impairment and the lifetime PD ratio (减值阶段).

    Stage 3 if credit-impaired or more than 90 days past due; stage 2 if more
    than 30 days past due or pd_ratio ≥ sicr_ratio; otherwise stage 1.
    """
    if credit_impaired:
        return IfrsStageResult(
            stage=3,
            trigger="credit_impaired",
            explanation="Stage 3: the exposure is credit-impaired.",
        )
    if dpd > 90:
        return IfrsStageResult(
            stage=3,
            trigger="dpd_over_90",
            explanation=f"Stage 3: {dpd} days past due is more than 90.",
        )
    if dpd > 30:
        return IfrsStageResult(
            stage=2,
            trigger="dpd_over_30",
            explanation=f"Stage 2: {dpd} days past due is more than 30.",
        )
    if pd_ratio is not None and pd_ratio >= sicr_ratio:
        return IfrsStageResult(
            stage=2,
            trigger="pd_ratio",
            explanation=(
                f"Stage 2: lifetime PD is {pd_ratio:g} times its origination value "
                f"(threshold {sicr_ratio:g})."
            ),
        )
    return IfrsStageResult(
        stage=1, trigger="none", explanation="Stage 1: no significant increase in credit risk."
    )


# --- Write tools -------------------------------------------------------------------------
# These change state, so compliance denies them unless the caller's role is allowed
# (rule F-C3-ROLE) and holds large limits for a human (F-C3). The toolkit's audit log
# records every call and decision. Replace the bodies with calls to your core-banking and
# case-management systems; keep the signatures so the rules and evaluation cases still apply.


class LimitChange(BaseModel):
    """A credit-limit change as submitted to the core-banking system."""

    reference: str = Field(description="Deterministic reference of the change request.")
    account: str
    limit: float
    status: Literal["submitted"] = "submitted"


class BsaEscalation(BaseModel):
    """An alert handed to the BSA officer (31 CFR 1020.320)."""

    reference: str = Field(description="Deterministic reference of the escalation.")
    customer_id: str
    summary: str
    status: Literal["routed_to_bsa_officer"] = "routed_to_bsa_officer"


def _reference(prefix: str, *parts: object) -> str:
    import hashlib

    digest = hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return f"{prefix}-{digest[:10].upper()}"


@domain_tool(
    write=True,
    examples=(
        "Lower the card limit on account 9988776655 to 3,500.",
        "Increase account 112233445's credit line to 12k.",
        "把账户87654321的信用额度调整为1.5万",
    ),
)
def set_credit_limit(
    account: Annotated[
        str, Field(pattern=r"^[0-9]{8,12}$", description="Account number (8-12 digits).")
    ],
    limit: Annotated[
        float,
        Field(ge=0, description="New credit limit (信用额度).", json_schema_extra=_unit("currency")),
    ],
) -> LimitChange:
    """Submit a new credit limit for an account (a write: needs an authorised role)."""
    return LimitChange(
        reference=_reference("LIM", account, limit), account=account, limit=_money(limit)
    )


@domain_tool(
    write=True,
    examples=(
        "Route the AML alert on client K-4410 to the compliance officer for review.",
        "Refer account holder D-2002 to anti-money-laundering compliance.",
        "把客户K-4410上报给反洗钱合规官",
    ),
)
def escalate_to_bsa_officer(
    customer_id: Annotated[
        str, Field(pattern=r"^[A-Z]-?[0-9]{3,10}$", description="Customer id, e.g. C-1001.")
    ],
    summary: Annotated[
        str, Field(min_length=1, max_length=500, description="What the alert is about.")
    ] = "cash structuring alert",
) -> BsaEscalation:
    """Route an AML alert to the BSA officer; the customer is never told (no tipping off)."""
    return BsaEscalation(
        reference=_reference("BSA", customer_id, summary), customer_id=customer_id, summary=summary
    )
