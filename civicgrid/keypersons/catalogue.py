"""The national default categories and visit cadences, installed by a data migration.

(code, 中文, English, end rule, lapse years). Counties add their own categories beside these.
"""

from __future__ import annotations

DEFAULT_CATEGORIES = [
    ("drug_rehabilitation", "社区戒毒/社区康复人员", "Community drug rehabilitation", "years", 3),
    ("community_correction", "社区矫正对象", "Community correction", "end_date", None),
    ("released_after_sentence", "刑满释放人员", "Released after sentence", "years", 5),
    ("mental_illness_risk", "严重精神障碍患者", "Severe mental illness with risk", "review", None),
    ("petitioner", "重点信访人员", "Persistent petitioner", "review", None),
    ("youth_at_risk", "重点青少年", "Youth at risk", "review", None),
    ("other", "其他重点人员", "Other key person", "review", None),
]

# Days between visits by colour where no node sets its own (red weekly, yellow monthly, green quarterly).
DEFAULT_CADENCE = {"red": 7, "yellow": 30, "green": 90}


def install(model) -> int:
    """Create the national categories that are missing; leave edited ones alone."""
    made = 0
    for order, (code, zh, en, rule, years) in enumerate(DEFAULT_CATEGORIES, start=1):
        _obj, created = model.objects.get_or_create(
            code=code,
            territory=None,
            defaults={
                "name_zh": zh,
                "name_en": en,
                "end_rule": rule,
                "lapse_years": years,
                "order": order * 10,
            },
        )
        made += created
    return made
