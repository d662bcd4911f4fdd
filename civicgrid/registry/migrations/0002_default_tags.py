from django.db import migrations

# (code, 中文, English, applies to, sensitive)
TAGS = [
    ("low_income", "低保户", "minimum-living allowance", "household", True),
    ("extreme_poverty", "特困供养", "extreme-poverty support", "resident", True),
    ("left_behind_child", "留守儿童", "left-behind child", "resident", False),
    ("lonely_elderly", "孤寡老人", "lonely elderly", "resident", False),
    ("empty_nest_elderly", "空巢老人", "empty-nest elderly", "resident", False),
    ("disabled", "残疾人", "person with a disability", "resident", True),
    ("veteran", "退役军人", "veteran", "resident", False),
    ("serious_illness", "大病患者", "serious illness", "resident", True),
    ("drug_rehabilitation", "戒毒康复人员", "drug rehabilitation", "resident", True),
    ("mental_health", "精神障碍患者", "mental health condition", "resident", True),
    ("community_correction", "社区矫正人员", "community correction", "resident", True),
    ("released_after_sentence", "刑满释放人员", "released after sentence", "resident", True),
    ("pregnant", "孕产妇", "pregnant or new mother", "resident", False),
    ("military_family", "军属", "military family", "household", False),
    ("relocated_household", "易地搬迁户", "relocated household", "household", False),
]


def add(apps, schema_editor):
    Tag = apps.get_model("registry", "Tag")
    for code, zh, en, target, sensitive in TAGS:
        Tag.objects.update_or_create(code=code, defaults={"name_zh": zh, "name_en": en, "target": target,
                                                          "sensitive": sensitive})


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
