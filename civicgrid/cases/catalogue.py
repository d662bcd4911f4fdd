"""The default category catalogue: (code, parent code, 中文, English, starting tier, default urgency,
limit overrides by urgency). Codes of the leaves match the categories departments declare they handle.
"""

from __future__ import annotations

URGENT_UTILITY = {"urgent": {"respond_hours": 2, "resolve_days": 2}}

DEFAULT_CATEGORIES = [
    ("sanitation", None, "环境卫生", "Sanitation", "grid", "normal", {"normal": {"resolve_days": 5}}),
    ("public_order", None, "社会治安", "Public order", "community", "normal", {}),
    ("public_security", "public_order", "治安案件", "Public security incident", "community", "urgent", {}),
    (
        "neighbour_dispute",
        None,
        "邻里纠纷",
        "Neighbour dispute",
        "unit",
        "normal",
        {"normal": {"resolve_days": 10}},
    ),
    ("property", None, "物业管理", "Property management", "community", "normal", {}),
    ("utilities", None, "水电气暖", "Water, power, gas and heating", "community", "urgent", URGENT_UTILITY),
    ("water", "utilities", "供水", "Water supply", "community", "urgent", URGENT_UTILITY),
    ("power", "utilities", "供电", "Power supply", "community", "urgent", URGENT_UTILITY),
    ("gas", "utilities", "燃气", "Gas", "community", "urgent", URGENT_UTILITY),
    ("heating", "utilities", "供暖", "Heating", "community", "urgent", URGENT_UTILITY),
    ("roads", None, "道路设施", "Roads and facilities", "community", "normal", {}),
    ("illegal_construction", "roads", "违法建设", "Illegal construction", "town", "normal", {}),
    ("social_assistance", None, "社会救助", "Social assistance", "community", "normal", {}),
    ("elderly_children", None, "一老一小", "Elderly and children", "grid", "normal", {}),
    ("elderly_care", "elderly_children", "养老助老", "Elderly care", "grid", "normal", {}),
    ("children", "elderly_children", "未成年人关爱", "Children", "grid", "normal", {}),
    ("housing", None, "住房与搬迁", "Housing and relocation", "community", "normal", {}),
    ("relocation", "housing", "搬迁安置", "Relocation and resettlement", "town", "normal", {}),
    ("environment", None, "生态环境", "Environment", "town", "normal", {}),
    ("market", None, "市场监管", "Market regulation", "town", "normal", {}),
    (
        "flood_control",
        None,
        "防汛与极端天气",
        "Flooding and extreme weather",
        "community",
        "urgent",
        {"urgent": {"respond_hours": 2, "resolve_days": 1}},
    ),
    ("policy", None, "政策咨询", "Policy questions", "community", "normal", {"normal": {"resolve_days": 5}}),
    ("health", "policy", "医疗卫生", "Health", "community", "normal", {}),
    ("employment", "policy", "就业社保", "Employment and social insurance", "community", "normal", {}),
    ("education", "policy", "教育", "Education", "community", "normal", {}),
    ("suggestion", None, "意见建议", "Suggestions", "community", "normal", {"normal": {"resolve_days": 15}}),
    ("praise", None, "表扬", "Praise", "community", "normal", {"normal": {"resolve_days": 5}}),
]


def install(Category) -> int:
    """Create or update the default categories (used by a data migration and by tests)."""
    by_code = {}
    for order, (code, parent, zh, en, tier, urgency, limits) in enumerate(DEFAULT_CATEGORIES):
        obj, _ = Category.objects.update_or_create(
            code=code,
            defaults={
                "parent": by_code.get(parent),
                "name_zh": zh,
                "name_en": en,
                "start_tier": tier,
                "default_urgency": urgency,
                "limits": limits,
                "order": order,
            },
        )
        by_code[code] = obj
    return len(by_code)
