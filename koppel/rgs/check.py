"""``koppel check FILE --rgs RELEASE.xlsx``: every account's RGS code against the release the user supplies.

Codes (added to the one catalogue, :data:`koppel.checks.findings.RULES`):

- RGS-C01 the code does not exist in the release (the nearest existing ancestor is named);
- RGS-C02 the code exists but is not at an account level (4 grootboekrekening or 5 mutatie);
- RGS-C03 two accounts carry the same code (XAF 4.0; skipped when XAF-U03 already said so);
- RGS-C04 the code's kind (B… balance, W… profit and loss) contradicts the account's kind;
- RGS-C05 the header's RGSVersion differs from the release (or says none while codes are used);
- RGS-I01 the file carries RGS codes but no release was given: not checked;
- RGS-I02 no account carries an RGS code (nothing to check against the release).
"""

from __future__ import annotations

from pathlib import Path

from ..checks.findings import ERROR, INFO, RULES, WARNING, Collector, Rule
from ..checks.layers import merge_findings
from .accounts import Chart, read_chart
from .release import RgsRelease, load_release, parse_version

RGS_RULES = (
    Rule("RGS-C01", ERROR, "RGS-code bestaat niet in de opgegeven RGS-release",
         "kies een code uit de release (koppel mapping init FILE --rgs RELEASE stelt er een voor)"),
    Rule("RGS-C02", WARNING, "RGS-code ligt niet op rekeningniveau (niveau 4 of 5)",
         "een grootboekrekening hoort op een code van niveau 4 (rekening) of 5 (mutatie)"),
    Rule("RGS-C03", ERROR, "dezelfde RGS-code staat bij meer dan één grootboekrekening (XAF 4.0)"),
    Rule("RGS-C04", ERROR, "soort van de RGS-code (B balans, W winst-en-verlies) past niet bij de rekeningsoort",
         "een balansrekening hoort bij een B-code, een resultatenrekening bij een W-code"),
    Rule("RGS-C05", WARNING, "RGSVersion in de kop wijkt af van de opgegeven RGS-release",
         "controleer tegen de release die de administratie gebruikt, of werk de codes bij"),
    Rule("RGS-I01", INFO, "RGS-codes niet gecontroleerd: geen RGS-release opgegeven",
         "geef de RGS-release (Excel) mee met --rgs RELEASE.xlsx"),
    Rule("RGS-I02", INFO, "geen enkele grootboekrekening heeft een RGS-code",
         "koppel mapping init FILE --rgs RELEASE stelt per rekening een code voor"),
)
RULES.update({r.code: r for r in RGS_RULES})


def _place(acc) -> str:
    return f"ledgerAccount[{acc.account_id}]/RGScode"


def rgs_findings(chart: Chart, release: RgsRelease | None, out: Collector, *, skip_duplicates: bool = False) -> None:
    """Report the RGS rules for ``chart`` to ``out`` (without a release: RGS-I01 when codes are present)."""
    coded = [a for a in chart.accounts if a.rgs_code]
    if release is None:
        if coded:
            out.add("RGS-I01", None, "", {"rekeningen met RGS-code": str(len(coded))})
        return
    if not coded:
        out.add("RGS-I02", None, "", {"release": release.version or "onbekend"})
        return
    seen: dict[str, str] = {}
    for acc in coded:
        code = acc.rgs_code.strip()
        found = release.codes.get(code)
        if found is None:
            near = release.parent(code)
            values = {"rekening": acc.account_id, "RGScode": code, "release": release.version or "onbekend"}
            if near is not None:
                values["dichtstbijzijnde"] = f"{near.code} ({near.description or ''})".strip()
            out.add("RGS-C01", acc.line, _place(acc), values)
        else:
            if found.level not in (4, 5):
                out.add("RGS-C02", acc.line, _place(acc), {"rekening": acc.account_id, "RGScode": code,
                                                          "niveau": str(found.level)})  # fmt: skip
            if acc.kind in ("B", "P") and found.kind != acc.kind:
                out.add("RGS-C04", acc.line, _place(acc), {"rekening": acc.account_id, "accTp": acc.kind,
                                                          "RGScode": code})  # fmt: skip
        if chart.version == "4.0" and not skip_duplicates:
            if code in seen:
                out.add("RGS-C03", acc.line, _place(acc), {"rekening": acc.account_id, "RGScode": code,
                                                          "ook bij": seen[code]})  # fmt: skip
            else:
                seen[code] = acc.account_id
    declared = parse_version(chart.rgs_version) if chart.rgs_version else None
    if release.version and declared != release.version and (chart.rgs_version or chart.version == "4.0"):
        out.add("RGS-C05", None, "header/RGSVersion",
                {"bestand": chart.rgs_version or "(ontbreekt)", "release": release.version})  # fmt: skip


def add_rgs_findings(result: dict, path: str | Path, release_path: str | Path | None, *, max_places: int = 20,
                     release: RgsRelease | None = None) -> dict:  # fmt: skip
    """The RGS layer of ``koppel check``: read the file's chart, check it, merge the findings into ``result``."""
    if result.get("verdict") == "unusable":
        return result
    if release is None and release_path is not None:
        release = load_release(release_path)
    if release is None and result.get("version") != "4.0":
        return result  # RGS codes are an element of XAF 4.0 only; nothing to remind of elsewhere
    chart = read_chart(path)
    out = Collector(max_places)
    skip = any(f["code"] == "XAF-U03" for f in result["findings"])
    rgs_findings(chart, release, out, skip_duplicates=skip)
    if release is not None:
        result["rgs"] = {"release": release.version, "file": str(release.source), "codes": len(release)}
    return merge_findings(result, out)
