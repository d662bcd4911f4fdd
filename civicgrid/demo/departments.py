"""The functional departments of the demo county and the categories of matter each one handles.

One list, so the demo, the cases module's category table and the documentation cannot drift apart.
`level` says where a department sits: one for the whole county, or one per town (a police station
and a power-supply station serve one town).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DepartmentSpec:
    key: str
    name: str  # {county} / {town} are filled with the node's name
    level: str  # "county" or "town"
    categories: tuple[str, ...]
    phone: str = ""


DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    DepartmentSpec("housing", "{county}住房和城乡建设局", "county", ("housing", "property"), "0856-6221101"),
    DepartmentSpec("police", "{town}派出所", "town", ("public_security",), "110"),
    DepartmentSpec("water", "{county}自来水公司", "county", ("water",), "0856-6221103"),
    DepartmentSpec("power", "{town}供电所", "town", ("power",), "95598"),
    DepartmentSpec(
        "urban_management",
        "{county}综合行政执法局",
        "county",
        ("sanitation", "roads", "illegal_construction"),
        "0856-6221105",
    ),
    DepartmentSpec(
        "civil_affairs", "{county}民政局", "county", ("social_assistance", "elderly_care"), "0856-6221106"
    ),
    DepartmentSpec("market", "{county}市场监督管理局", "county", ("market",), "12315"),
    DepartmentSpec("environment", "{county}生态环境局", "county", ("environment",), "12369"),
    DepartmentSpec("health", "{county}卫生健康局", "county", ("health",), "0856-6221109"),
    DepartmentSpec("human_resources", "{county}人力资源和社会保障局", "county", ("employment",), "12333"),
    DepartmentSpec("education", "{county}教育局", "county", ("education",), "0856-6221111"),
    DepartmentSpec("water_resources", "{county}水务局", "county", ("flood_control",), "0856-6221112"),
)

# Every category code some department handles, in a stable order.
CATEGORIES: tuple[str, ...] = tuple(dict.fromkeys(c for d in DEPARTMENTS for c in d.categories))
