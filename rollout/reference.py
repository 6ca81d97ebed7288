"""The plan's own structure, from 《鄞州区深入推进“三长带三会”工作方案》 (三、实施步骤): four
phases, the implementation phase in three stages, with the dates the programme year 2022 gave
them.

``load_plan`` is used by the data migration (with the historical models), by ``seed_demo`` and
by anything that must restore the plan after tables were emptied. It creates what is missing and
leaves existing rows alone: the dates are district staff's to edit, and a reload must not undo
their edits. The names are stored in Chinese and marked for the translation catalogue, so that
``Phase.label`` and ``Stage.label`` read them in the viewer's language.
"""

import datetime

from django.utils.translation import gettext_noop

D = datetime.date

PHASES = (
    {
        "number": 1,
        "code": "research",
        "name": gettext_noop("调研准备"),
        "start_date": D(2022, 1, 1),
        "end_date": D(2022, 2, 15),
        "summary": (
            "学习上级有关文件精神，深入调研基层科协的组织机构、人员队伍、工作开展等情况，特别是开展区级学（协）会"
            "调研专项行动，了解“三长（泛三长）”在基层科协领导机构的数量比例和作用发挥情况，为“三会”面向基层开展"
            "科技和科普服务等方面给予指导。"
        ),
    },
    {
        "number": 2,
        "code": "mobilisation",
        "name": gettext_noop("动员部署"),
        "start_date": D(2022, 2, 16),
        "end_date": D(2022, 3, 14),
        "summary": (
            "制定《鄞州区“三长带三会”试点行动方案》，契合市科协的部署，选择部分学（协）会一边调研、一边推进，"
            "择机召集全区19家学（协）会，并精选几家重点镇（街）科协一起，深入解读“三长带三会”文件精神，明确目的、"
            "意义、重点任务和具体做法，升级出台《鄞州区深入推进“三长带三会”工作方案》，在全区科协组织进行动员部署。"
        ),
    },
    {
        "number": 3,
        "code": "implementation",
        "name": gettext_noop("具体实施"),
        "start_date": D(2022, 3, 15),
        "end_date": D(2022, 12, 31),
        "summary": "分局部推进、深入推进、全面覆盖三个阶段实施。",
    },
    {
        "number": 4,
        "code": "review",
        "name": gettext_noop("梳理总结"),
        "start_date": D(2022, 11, 1),
        "end_date": D(2022, 12, 31),
        "summary": (
            "结合四季度召开的鄞州区科协第十一次代表大会，对“三长带三会”工作的总体情况、主要做法、主要成效、存在问题"
            "和工作建议等进行总结，梳理推进工作中的制度机制成果，形成一批可复制可推广的经验和做法，并完成总结报告。"
        ),
    },
)

STAGES = (
    {
        "phase": 3,
        "code": "3a",
        "name": gettext_noop("局部推进"),
        "start_date": D(2022, 3, 15),
        "end_date": D(2022, 6, 30),
        "target": "姜山镇、五乡镇、云龙镇、下应街道科协完成试点",
        "summary": (
            "选择姜山镇科协、五乡镇科协、云龙镇科协、下应街道科协等单位，推进“三长带三会”工作试点，"
            "分析存在的问题，研究具体对策。"
        ),
    },
    {
        "phase": 3,
        "code": "3b",
        "name": gettext_noop("深入推进"),
        "start_date": D(2022, 7, 1),
        "end_date": D(2022, 9, 30),
        "target": "各学（协）会、重点镇（街）科协示范引领",
        "summary": (
            "各学（协）会、重点镇（街）科协按照示范引领的要求，梳理总结前期试点工作中的好经验好做法，"
            "研究解决存在的问题，积极推进“三长带三会”实施工作。"
        ),
    },
    {
        "phase": 3,
        "code": "3c",
        "name": gettext_noop("全面覆盖"),
        "start_date": D(2022, 10, 1),
        "end_date": D(2022, 12, 31),
        "target": "2022年底前“三长（泛三长）”和“三会”服务覆盖所有镇（街）",
        "summary": (
            "力争到2022年底，依托学（协）会、镇（街）科协、科普基地、企业（园区）科协等成立若干变革型组织，"
            "“三长（泛三长）”和“三会”服务覆盖所有镇（街），相关工作机制、制度初步建立。"
        ),
    },
)

# The date by which every town and subdistrict is to be covered (stage 3c).
FULL_COVERAGE_BY = D(2022, 12, 31)


def load_plan(phase_model, stage_model) -> int:
    """Create the phases and stages that are missing; return how many rows were created."""
    created = 0
    phases = {}
    for spec in PHASES:
        values = {key: value for key, value in spec.items() if key != "number"}
        phase, was_created = phase_model.objects.get_or_create(number=spec["number"], defaults=values)
        phases[spec["number"]] = phase
        created += was_created
    for spec in STAGES:
        values = {key: value for key, value in spec.items() if key not in ("phase", "code")}
        _stage, was_created = stage_model.objects.get_or_create(
            code=spec["code"], defaults={"phase": phases[spec["phase"]], **values}
        )
        created += was_created
    return created
