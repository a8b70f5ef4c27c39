"""What people write: invented texts in the centre's language, which simulations pick among."""

from __future__ import annotations

from collections.abc import Sequence

from domain.case import Kind, Outcome

SUMMARIES: dict[tuple[Kind, str], Sequence[str]] = {
    (Kind.COMPLAINT, "service_attitude"): (
        "窗口工作人员态度生硬，言语不耐烦",
        "工作人员对群众咨询不予理睬",
        "办事时被工作人员大声呵斥",
    ),
    (Kind.COMPLAINT, "efficiency_delay"): (
        "承诺时限内未办结，也无人说明原因",
        "排队等候两个多小时仍未办理",
        "办件超期，多次催问无人答复",
    ),
    (Kind.COMPLAINT, "one_time_notification"): (
        "未一次性告知所需材料，往返跑了三趟",
        "补正材料的要求前后多次变化",
    ),
    (Kind.COMPLAINT, "shirking"): (
        "窗口之间互相推诿，不知道该找谁",
        "被要求到其他部门开证明，去了又被退回",
    ),
    (Kind.COMPLAINT, "work_discipline"): (
        "上班时间窗口无人",
        "工作人员办公时间玩手机",
        "窗口未到下班时间就停止受理",
    ),
    (Kind.COMPLAINT, "business_competence"): (
        "工作人员业务不熟，答复前后不一致",
        "材料审核标准因人而异",
    ),
    (Kind.COMPLAINT, "procedure_systems"): (
        "网上办事系统提交时一直报错",
        "预约系统长期无号可约",
    ),
    (Kind.COMPLAINT, "hall_environment"): ("大厅叫号系统故障，秩序混乱", "等候区座位严重不足"),
    (Kind.REPORT, "integrity"): (
        "工作人员暗示需要“好处费”才能加快办理",
        "窗口人员与中介勾连，帮助插队办理",
        "工作人员收受办事群众礼品",
    ),
    (Kind.REPORT, "work_discipline"): (
        "工作人员长期迟到早退，由他人代为打卡",
        "窗口人员上班期间擅自离岗办私事",
    ),
    (Kind.REQUEST, "procedure_systems"): (
        "证件丢失急需补办，请求加急办理",
        "网上申报材料被退回，请求人工协助",
    ),
    (Kind.REQUEST, "policy_other"): (
        "老人行动不便，请求上门办理",
        "外地务工人员请求协助异地转移社保关系",
    ),
    (Kind.CONSULTATION, "policy_other"): (
        "咨询住房公积金提取条件",
        "咨询新生儿落户所需材料",
        "咨询企业开办的办理流程",
        "咨询不动产继承登记需要哪些材料",
        "咨询异地就医备案的办理方式",
        "咨询个人所得税专项附加扣除",
    ),
    (Kind.SUGGESTION, "hall_environment"): (
        "建议周末增开服务窗口",
        "建议在等候区增加充电设施",
    ),
    (Kind.SUGGESTION, "procedure_systems"): (
        "建议增加自助办理设备",
        "建议优化叫号系统，提供线上排队提醒",
    ),
    (Kind.PRAISE, "service_attitude"): (
        "表扬窗口工作人员耐心细致",
        "感谢工作人员延时为其办理业务",
        "表扬工作人员主动提供帮办代办服务",
    ),
}

DETAIL_ENDINGS = (
    "希望相关部门尽快核实处理。",
    "要求给予答复。",
    "请中心协调解决。",
    "情况属实可提供现场照片。",
)
INTERNAL_NOTES = (
    "来电人情绪较激动，回访时注意沟通方式",
    "来电人要求承办部门直接电话联系",
    "来电人此前曾就同类问题反映过",
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN_NAMES = (
    "伟",
    "芳",
    "娜",
    "秀英",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
    "平",
    "刚",
    "桂英",
    "建国",
)
DISTRICTS = ("东城区", "西城区", "高新区", "经开区", "南湖区")
STREETS = ("解放路", "人民路", "建设路", "中山路", "文化路", "和平路")

MISROUTED_REASON = "该事项不属于本单位职责范围，请重新派单"
SHIRKING_REASON = "该事项涉及多个部门，建议由其他部门牵头办理"
ARBITRATION_NOTE = "经中心审定，由你单位办理，不得再次退单"
CLOCK_STOP_REASONS = ("等待申请人补充材料", "需第三方机构出具鉴定意见", "等待上级部门政策答复")
EXTENSION_REASONS = ("涉及多部门协调，需延长办理时限", "需调取历史档案核实", "需实地核查")
EXTENSION_REFUSAL = "延期理由不充分，请按原时限办结"
ANSWERS: dict[Outcome, tuple[str, str]] = {
    Outcome.SUBSTANTIATED: (
        "经调取监控、询问当事人，反映问题属实；已对相关人员批评教育并责令整改",
        "您反映的问题经核实属实，我单位已对相关人员批评教育并落实整改，感谢您的监督。",
    ),
    Outcome.PARTLY_SUBSTANTIATED: (
        "经核查，反映问题部分属实；已完善相关工作流程",
        "您反映的问题部分属实，我单位已改进相关工作，并就其余情况向您作出说明。",
    ),
    Outcome.UNSUBSTANTIATED: (
        "经调取监控和办件记录，未发现所反映问题",
        "经核查，您反映的情况与事实不符，已向您说明办理依据，欢迎继续监督。",
    ),
    Outcome.RESOLVED: (
        "已按政策规定办理并答复",
        "您反映的事项已办理完毕，如有疑问可随时来电。",
    ),
}
DISMISSAL_REASONS = ("情节轻微，已当场批评教育，不予扣分", "所涉人员已调离窗口岗位，不予扣分")
UNREACHED = "电话无人接听"
CALLBACK_COMMENTS: dict[bool, Sequence[str]] = {
    False: ("对处理结果表示满意", "认可部门答复", "问题已解决"),
    True: ("对答复不认可，认为问题未解决", "认为部门敷衍了事"),
}
DISSATISFIED_REASON = "回访中来电人对答复不满意，要求重新办理"
RECURRED_REASON = "来电人反映同一问题再次发生，要求重新办理"
SUPERVISION_NOTES = ("已超时限，请立即办理并说明原因", "请于今日内签收办理并报告进展")
PUBLIC_SUPERVISION_NOTE = "中心已对承办部门督办，请耐心等待答复"
REVOCATION_REASONS = (
    "申诉成立：当日经批准请假",
    "经复核，现场证据不足",
    "申诉成立：系系统故障所致",
)


BAD_RATING_COMMENTS = (
    "等了两个小时没人理",
    "工作人员态度很差",
    "材料被退回三次，每次说法都不一样",
    "系统一直办不了，也没人解释",
    "窗口提前下班",
)
GOOD_RATING_COMMENTS = ("办事很快，点赞", "工作人员很耐心", "一次就办好了")
SERVICE_ITEMS = (
    "企业设立登记",
    "个人所得税申报",
    "不动产转移登记",
    "社会保障卡补办",
    "住房公积金提取",
    "居民身份证换领",
    "医保异地就医备案",
    "食品经营许可",
)

INSPECTION_PROBLEMS = (
    "窗口未落实一次性告知制度，群众多次往返",
    "工作人员上班期间多次脱岗",
    "服务指南与实际受理要求不一致",
    "AB岗替补不到位，窗口多次空岗",
    "办件台账不全，超期件未说明原因",
)
ORDER_REQUIREMENTS = (
    "立即组织整改，逐项建立整改台账，按期书面报告整改情况",
    "组织窗口人员学习服务规范，落实首问负责和一次性告知制度，按期报告",
)
ORDER_CLOCK_STOP_REASON = "整改涉及设备采购，等待供应商到货"
RECTIFICATION_MEASURES = (
    "已组织全体窗口人员学习服务规范，建立每日巡查台账",
    "已调整AB岗排班并报中心备案，更新服务指南",
    "已对相关人员诫勉谈话，完善办件超期预警",
)
RECTIFICATION_EVIDENCE = ("学习签到表及会议照片", "排班表和更新后的服务指南", None)
REJECTION_REASONS = ("整改措施未落实到人，请补充整改台账", "现场复查仍存在同类问题")
ACCEPTANCE_NOTE = "经现场复查，整改到位"
