//! Inference of kind, region and speaker from a speech's title and heading.
//!
//! The **heading** is what comes before the text proper: the first meaningful lines (web-page
//! noise left out) up to the salutation (`各位代表：`, `同志们：`) or the first long line. Titles,
//! subtitles (`——在…会议上的讲话`), datelines and bylines live there; the running text, which
//! quotes other bodies and other people, is never read for these fields.
//!
//! - **kind**: the genre word a title ends with (`…关于政府工作报告的决议` → 决议, `…上的讲话` → 讲话),
//!   parenthesised notes such as `（摘要）` set aside; else a subtitle's; else the opening
//!   (`各位代表` + `报告政府工作` → 政府工作报告; `同志们：` → 讲话).
//! - **region**: a province, autonomous region or municipality, or a city, county or district
//!   (`2026年山东省政府工作报告`, `在杭州市…`, `山东省省长 周乃翔`), in the title, then in the heading
//!   (there by full name only: `（2025年6月25日，天津）` is where a meeting was held); else none when
//!   the title is about a locality without naming it (`在市科技系统…`, `全省…`); else `全国` when
//!   the title starts with a national body (`中共中央关于…`), names one as the occasion
//!   (`…全国人民代表大会…`, `在2025年全国商务工作会议上…`) and not as a reference
//!   (`传达学习中共中央…精神` gives none), or a heading line names one (`国务院总理`, `商务部部长`).
//! - **speaker**: a labelled line (`讲话人：张三`, `作者：…`); a byline, `[organisation] position
//!   name` (`国务院总理　李　强`, `山东省省长 周乃翔`, `商务部党组书记、部长 王文涛`), possibly split
//!   over two lines or closing a dateline; a name alone next to a dateline or after a subtitle
//!   (`周恩来`, `习近平`); a caption (`省长毛伟明作政府工作报告`); else a title led by a name
//!   (`习近平：在…上的讲话`). Names lose their inner spaces. Documents adopted by a body (决议, 决定,
//!   公报, 通知, …) get no speaker: a resolution *about* a report does not have the reporter as
//!   its speaker, and a title that names someone else (`在纪念毛泽东同志…座谈会上的讲话`) does not
//!   make them the speaker.

use super::lines::{is_noise_line, trim_line};

/// How many meaningful lines the heading has at most.
const HEADING_LINES: usize = 12;
/// How many lines (blank ones too) are searched for the salutation that opens the text.
const OPENING_LINES: usize = 40;
/// A line longer than this (in characters) is running text: the heading ends before it.
const HEADING_LINE_MAX: usize = 80;

/// Genre words and the kind each gives, most specific first (a title ends with one of them).
const KINDS: &[(&str, &str)] = &[
    ("政府工作报告", "政府工作报告"),
    ("述职报告", "报告"),
    ("工作报告", "报告"),
    ("报告", "报告"),
    ("决议", "决议"),
    ("决定", "决定"),
    ("公报", "公报"),
    ("指导意见", "意见"),
    ("实施意见", "意见"),
    ("意见", "意见"),
    ("通知", "通知"),
    ("通报", "通报"),
    ("公告", "公告"),
    ("通告", "通告"),
    ("新年贺词", "致辞"),
    ("贺词", "致辞"),
    ("致辞", "致辞"),
    ("致词", "致辞"),
    ("祝酒辞", "致辞"),
    ("祝酒词", "致辞"),
    ("贺信", "贺信"),
    ("贺电", "贺信"),
    ("讲话要点", "讲话"),
    ("讲话摘要", "讲话"),
    ("讲话提纲", "讲话"),
    ("主持词", "讲话"),
    ("开幕词", "讲话"),
    ("闭幕词", "讲话"),
    ("重要讲话", "讲话"),
    ("讲话", "讲话"),
    ("发言", "讲话"),
    ("演讲", "讲话"),
    ("讲演", "讲话"),
    ("谈话", "讲话"),
    ("讲稿", "讲话"),
    ("建议", "建议"),
    ("纲要", "规划"),
    ("规划", "规划"),
    ("方案", "方案"),
    ("条例", "条例"),
    ("规定", "规定"),
    ("办法", "办法"),
    ("批复", "批复"),
    ("声明", "声明"),
    ("宣言", "宣言"),
    ("决议案", "决议"),
    ("议决案", "决议"),
    ("纲领", "纲领"),
    ("章程", "章程"),
];

/// Kinds of documents adopted or issued by a body rather than spoken by a person.
const DOCUMENT_KINDS: &[&str] = &[
    "决议", "决定", "公报", "意见", "通知", "通报", "公告", "通告", "建议", "规划", "方案", "条例",
    "规定", "办法", "批复", "声明", "宣言", "纲领", "章程",
];

/// True when `kind` is a document adopted or issued by a body (no speaker is inferred).
pub(crate) fn is_document_kind(kind: &str) -> bool {
    DOCUMENT_KINDS.contains(&kind)
}

/// A title without trailing notes in brackets (`（摘要）`, `(2024年)`, `【全文】`) or quotes.
fn strip_notes(title: &str) -> &str {
    let mut t = trim_line(title);
    loop {
        let before = t;
        t = t.trim_end_matches(['》', '”', '"', '。', ' ', '\u{3000}']);
        for (open, close) in [('（', '）'), ('(', ')'), ('【', '】'), ('〔', '〕'), ('[', ']')]
        {
            if t.ends_with(close)
                && let Some(at) = t.rfind(open)
                && at > 0
            {
                t = &t[..at];
            }
        }
        if t == before {
            return trim_line(t);
        }
    }
}

/// The kind a title (or subtitle) ends with.
fn kind_of_title(title: &str) -> Option<&'static str> {
    let title = strip_notes(title);
    // `政府工作报告——2024年3月5日在…`: judge the part before the dash too.
    let parts = [title, title.split(['—', '―']).next().unwrap_or(title)];
    parts.into_iter().find_map(|part| {
        let part = trim_line(part);
        KINDS.iter().find(|(word, _)| part.ends_with(word)).map(|&(_, kind)| kind)
    })
}

/// True for a salutation that opens the text proper (`各位代表：`, `同志们：`).
fn is_salutation(line: &str) -> bool {
    const OPENERS: &[&str] =
        &["各位代表", "同志们", "各位委员", "女士们", "先生们", "朋友们", "各位来宾", "尊敬的"];
    OPENERS.iter().any(|o| line.starts_with(o))
}

/// The heading of a body: its first meaningful lines, before the salutation or running text.
pub(crate) fn heading(body: &str) -> Vec<&str> {
    body.lines()
        .map(trim_line)
        .take_while(|l| !is_salutation(l))
        .filter(|l| !is_noise_line(l))
        .take(HEADING_LINES)
        .take_while(|l| l.chars().count() <= HEADING_LINE_MAX)
        .collect()
}

/// The kind of a speech: from its title, else a subtitle in the heading, else its opening.
pub(crate) fn infer_kind(title: &str, heading: &[&str], body: &str) -> Option<String> {
    if let Some(kind) = kind_of_title(title) {
        return Some(kind.to_owned());
    }
    let subtitle = heading.iter().filter(|l| is_subtitle(l)).find_map(|l| kind_of_title(l));
    if let Some(kind) = subtitle {
        return Some(kind.to_owned());
    }
    let opening = body.lines().map(trim_line).take(OPENING_LINES).find(|l| is_salutation(l))?;
    let text: String = body.chars().take(600).collect();
    if opening.starts_with("各位代表")
        && (text.contains("报告政府工作") || text.contains("作政府工作报告"))
    {
        return Some("政府工作报告".to_owned());
    }
    (opening.starts_with("同志们") || opening.starts_with("朋友们")).then(|| "讲话".to_owned())
}

/// A subtitle: `——在…上的讲话`, `（在…上的讲话）`, `在…上的讲话`.
fn is_subtitle(line: &str) -> bool {
    let line = line.trim_start_matches(['—', '―', '-', '（', '(', ' ']);
    line.starts_with('在') || line.contains("上的")
}

// ---------------------------------------------------------------------------------------------
// Region

/// Provinces, autonomous regions, municipalities and special administrative regions: full
/// name, short name.
const PROVINCES: &[(&str, &str)] = &[
    ("北京市", "北京"),
    ("天津市", "天津"),
    ("上海市", "上海"),
    ("重庆市", "重庆"),
    ("河北省", "河北"),
    ("山西省", "山西"),
    ("辽宁省", "辽宁"),
    ("吉林省", "吉林"),
    ("黑龙江省", "黑龙江"),
    ("江苏省", "江苏"),
    ("浙江省", "浙江"),
    ("安徽省", "安徽"),
    ("福建省", "福建"),
    ("江西省", "江西"),
    ("山东省", "山东"),
    ("河南省", "河南"),
    ("湖北省", "湖北"),
    ("湖南省", "湖南"),
    ("广东省", "广东"),
    ("海南省", "海南"),
    ("四川省", "四川"),
    ("贵州省", "贵州"),
    ("云南省", "云南"),
    ("陕西省", "陕西"),
    ("甘肃省", "甘肃"),
    ("青海省", "青海"),
    ("台湾省", "台湾"),
    ("内蒙古自治区", "内蒙古"),
    ("广西壮族自治区", "广西"),
    ("西藏自治区", "西藏"),
    ("宁夏回族自治区", "宁夏"),
    ("新疆维吾尔自治区", "新疆"),
    ("香港特别行政区", "香港"),
    ("澳门特别行政区", "澳门"),
];

/// Names of national bodies: a title or heading naming one (and no locality) is national.
const NATIONAL_BODIES: &[&str] = &[
    "国务院",
    "全国人民代表大会",
    "全国人大",
    "中共中央",
    "党中央",
    "中央委员会",
    "全国代表大会",
    "中央政治局",
    "中央军委",
    "中央军事委员会",
    "中央纪委",
    "中央纪律检查委员会",
    "全国政协",
    "全国委员会",
    "中华人民共和国",
    "国家主席",
    "国务院总理",
    "总书记",
    "中央宣传部",
    "中宣部",
    "中央组织部",
    "中组部",
    "最高人民法院",
    "最高人民检察院",
    "国家监察委员会",
    "国家发展改革委",
    "国家发展和改革委员会",
    "教育部",
    "科学技术部",
    "科技部",
    "工业和信息化部",
    "公安部",
    "民政部",
    "司法部",
    "财政部",
    "人力资源社会保障部",
    "人力资源和社会保障部",
    "自然资源部",
    "生态环境部",
    "住房城乡建设部",
    "住房和城乡建设部",
    "交通运输部",
    "水利部",
    "农业农村部",
    "商务部",
    "文化和旅游部",
    "国家卫生健康委",
    "应急管理部",
    "中国人民银行",
    "审计署",
    "外交部",
    "国防部",
    "退役军人事务部",
    "海关总署",
    "市场监管总局",
    "国家统计局",
    "全国总工会",
    "共青团中央",
    "全国妇联",
];

/// Words that make a national body in a title a reference (`传达学习中共中央…精神`), not the
/// speaker's or issuer's: such a title gives `全国` only when it starts with the body.
const REFERENCE_WORDS: &[&str] = &["传达", "学习", "贯彻", "落实", "精神", "解读"];

/// Words that make a title local without naming the place (`在市科技系统…`, `全省…`).
const UNNAMED_LOCAL: &[&str] = &[
    "全省",
    "全市",
    "全县",
    "全区",
    "全州",
    "省委",
    "市委",
    "县委",
    "区委",
    "省政府",
    "市政府",
    "县政府",
    "区政府",
    "本市",
    "本省",
    "在市",
    "在省",
    "在县",
    "在区",
    "市级",
    "省级",
    "县级",
    "省人大",
    "市人大",
    "县人大",
    "省政协",
    "市政协",
    "〔*〕",
];

/// Characters that cannot be part of a place name before `市`/`县`/`区`/`州`.
const NOT_IN_PLACE_NAMES: &str =
    "共这那个此各全本该我你他们的了和与及在城都市省县区到对从为是有每其第届次年月日上会";

/// A city, county, district or prefecture (`杭州市`, `海淀区`, `延边朝鲜族自治州`): 2 to 4 name
/// characters after a boundary (the start, `年`, `在`, `省`, `中共`, a dash or bracket), then the
/// suffix, not followed by a word that makes it common (`市场`, `区域`).
fn city_at(chars: &[char], at: usize) -> Option<String> {
    let boundary = at == 0
        || matches!(
            chars[at - 1],
            '年' | '在' | '省' | '区' | '共' | '—' | '（' | '(' | ' ' | '、'
        );
    if !boundary {
        return None;
    }
    for len in 2..=4 {
        let name = chars.get(at..at + len)?;
        if name.iter().any(|c| NOT_IN_PLACE_NAMES.contains(*c) || !is_han(*c)) {
            return None;
        }
        let &suffix = chars.get(at + len)?;
        let next = chars.get(at + len + 1).copied();
        let common = match suffix {
            '市' => matches!(next, Some('场' | '民' | '值' | '面' | '容' | '井' | '郊')),
            '区' => matches!(next, Some('域' | '别' | '块' | '间' | '分' | '位')),
            '县' => matches!(next, Some('域' | '城')),
            '州' => false,
            _ => continue,
        };
        if common {
            return None;
        }
        return Some(chars[at..=at + len].iter().collect());
    }
    None
}

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// The locality a line names: a province (full name, then a city right after it is kept too:
/// `山东省济南市`), else a city, county or district, else a province's short name.
fn place_in(line: &str) -> Option<String> {
    let chars: Vec<char> = line.chars().collect();
    let text: String = chars.iter().collect();
    let full = PROVINCES
        .iter()
        .filter_map(|(full, _)| text.find(full).map(|at| (at, *full)))
        .min_by_key(|(at, _)| *at);
    if let Some((byte_at, province)) = full {
        let at = text[..byte_at].chars().count() + province.chars().count();
        return Some(match city_at(&chars, at) {
            Some(city) => format!("{province}{city}"),
            None => province.to_owned(),
        });
    }
    if let Some(city) = (0..chars.len()).find_map(|at| city_at(&chars, at)) {
        return Some(city);
    }
    PROVINCES.iter().find(|(_, short)| text.contains(short)).map(|(full, _)| (*full).to_owned())
}

/// The region of a speech: a locality named in the title, else in the heading (a byline's
/// `中共浙江省委书记`); none when the title is local without a name (`全省`, `在市…`); else `全国` when the title or heading names a national body.
pub(crate) fn infer_region(title: &str, heading: &[&str]) -> Option<String> {
    if let Some(place) = place_in(title) {
        return Some(place);
    }
    if let Some(place) = heading.iter().find_map(|l| place_in_heading(l)) {
        return Some(place);
    }
    if UNNAMED_LOCAL.iter().any(|w| title.contains(w)) {
        return None;
    }
    let national = |l: &str| NATIONAL_BODIES.iter().any(|b| l.contains(b));
    let reference = REFERENCE_WORDS.iter().any(|w| title.contains(w));
    let issuer = NATIONAL_BODIES.iter().any(|b| title.starts_with(b));
    let title_national = issuer || national_meeting(title) || (national(title) && !reference);
    (title_national || heading.iter().any(|l| national(l))).then(|| "全国".to_owned())
}

/// `在全国…会议上`, `在2025年全国商务工作会议上`: a national meeting is the occasion.
fn national_meeting(title: &str) -> bool {
    let Some(rest) = title.strip_prefix('在') else { return false };
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit()).trim_start_matches('年');
    rest.starts_with("全国")
}

/// The locality a heading line names, by full name or as a city (`（2025年6月25日，天津）`,
/// the place of a meeting, is not the speaker's region by a short name).
fn place_in_heading(line: &str) -> Option<String> {
    place_in(line).filter(|place| {
        PROVINCES.iter().all(|(full, _)| full != place) || line.contains(place.as_str())
    })
}

// ---------------------------------------------------------------------------------------------
// Speaker

/// Positions a byline names before the name, longest first where one ends another.
const POSITIONS: &[&str] = &[
    "总书记",
    "副总理",
    "总理",
    "国务委员",
    "委员长",
    "副主席",
    "主席",
    "副书记",
    "书记",
    "副省长",
    "省长",
    "副市长",
    "市长",
    "县长",
    "区长",
    "州长",
    "盟长",
    "旗长",
    "副部长",
    "部长",
    "副主任",
    "主任",
    "局长",
    "厅长",
    "院长",
    "检察长",
    "署长",
    "行长",
    "秘书长",
    "会长",
    "社长",
    "校长",
    "董事长",
    "总经理",
];

/// Common surnames (single and compound): a name alone on a line must start with one.
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝封习";

/// A person's name: 2 to 4 Han characters (inner spaces already removed), or a name with the
/// middle dot of minority names (`买买提江·吾买尔`), that is not a position or a common word.
fn is_name(name: &str) -> bool {
    let n = name.chars().count();
    let han = name.chars().all(|c| is_han(c) || c == '·');
    let dotted = name.contains('·') && (4..=12).contains(&n);
    let bad = ["同志", "代表", "政府", "报告", "会议", "人民", "委员", "讲话", "工作", "各位"]
        .iter()
        .any(|w| name.contains(w))
        || POSITIONS.iter().any(|p| name.ends_with(p));
    han && !bad && ((2..=4).contains(&n) || dotted)
}

/// A name alone on a line, starting with a common surname.
fn bare_name(line: &str) -> Option<String> {
    let name: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    let first = name.chars().next()?;
    (is_name(&name) && !name.contains('·') && SURNAMES.contains(first)).then_some(name)
}

/// `[organisation] position name` → the name, when the line is a byline: short, no sentence
/// punctuation, ending with a position then a name.
fn byline(line: &str) -> Option<String> {
    let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.chars().count() > 40 || compact.contains(['。', '，', ',', '：', ':', '！', '？'])
    {
        return None;
    }
    let (at, position) = POSITIONS
        .iter()
        .filter_map(|p| compact.rfind(p).map(|at| (at, *p)))
        .max_by_key(|(at, p)| (*at + p.len(), p.len()))?;
    let name = &compact[at + position.len()..];
    // Set apart by a space (`省长 王予波`), or a common surname first: `市长信箱` is no byline.
    let spaced = line.trim_end().ends_with(|c: char| !c.is_whitespace())
        && line.split_whitespace().last().is_some_and(|last| last.ends_with(name))
        && line.split_whitespace().count() > 1;
    let surname = name.chars().next().is_some_and(|c| SURNAMES.contains(c));
    (is_name(name) && (spaced || surname || name.contains('·'))).then(|| name.to_owned())
}

/// `省长毛伟明作政府工作报告`, `自治区人民政府主席张雨浦作政府工作报告`: position, name, then `作`,
/// `在` or `代表` (a photo caption or a news lead).
fn caption(line: &str) -> Option<String> {
    let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.contains("审议") || compact.contains("所作") || compact.contains("听取") {
        return None;
    }
    for (at, position) in POSITIONS.iter().flat_map(|p| compact.match_indices(p)) {
        let rest = &compact[at + position.len()..];
        let end = ["同志作", "作", "在", "代表"].iter().filter_map(|w| rest.find(w)).min()?;
        let name = &rest[..end];
        if is_name(name) && name.chars().count() <= 3 {
            return Some(name.to_owned());
        }
    }
    None
}

/// True for a dateline: a date opening the line, after a dash or bracket or before `在`.
fn is_dateline(line: &str) -> bool {
    super::dates::dateline_date(line).is_some()
}

/// The speaker of a speech, from the heading's byline (see the [module doc](self)).
pub(crate) fn infer_speaker(heading: &[&str]) -> Option<String> {
    for (i, line) in heading.iter().enumerate() {
        if let Some(name) = byline(line) {
            return Some(name);
        }
        // A position alone, the name on the next line (`国务院总理` / `李　强`).
        let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        if POSITIONS.iter().any(|p| compact.ends_with(p))
            && compact.chars().count() <= 20
            && let Some(name) = heading.get(i + 1).and_then(|next| bare_name(next))
        {
            return Some(name);
        }
        // The byline at the end of a dateline (`2026年1月27日在…会议上 陕西省省长 赵刚`).
        if is_dateline(line)
            && let Some((_, tail)) = line.rsplit_once([' ', '\u{3000}'])
            && let Some(name) = byline(tail)
        {
            return Some(name);
        }
    }
    // A name alone next to a dateline or after a subtitle (`周恩来`, `习近平`).
    for (i, line) in heading.iter().enumerate() {
        let after = |l: &str| is_dateline(l) || (is_subtitle(l) && kind_of_title(l).is_some());
        let near_dateline = (i > 0 && after(heading[i - 1]))
            || heading.get(i + 1).is_some_and(|next| is_dateline(next));
        if near_dateline && let Some(name) = bare_name(line) {
            return Some(name);
        }
    }
    heading.iter().find_map(|l| caption(l))
}

/// Labels that introduce the speaker on a heading line (`讲话人：张三`).
const SPEAKER_LABELS: &[&str] = &["讲话人", "发言人", "报告人", "主讲人", "作者", "致辞人"];

/// `讲话人：张三`, `作者：李四` (the name with its inner spaces removed).
fn labelled(line: &str) -> Option<String> {
    let rest = SPEAKER_LABELS.iter().find_map(|l| line.strip_prefix(l))?;
    let rest = rest.trim_start().strip_prefix(['：', ':'])?;
    let name: String = rest.chars().filter(|c| !c.is_whitespace()).collect();
    let name = byline(&name).unwrap_or(name);
    is_name(&name).then_some(name)
}

/// `习近平：在…上的讲话`, the news convention of a title led by the speaker's name.
fn title_speaker(title: &str) -> Option<String> {
    let (name, rest) = title.split_once(['：', ':'])?;
    let first = name.chars().next()?;
    let n = name.chars().count();
    ((2..=3).contains(&n) && is_name(name) && SURNAMES.contains(first) && !rest.trim().is_empty())
        .then(|| name.to_owned())
}

/// The speaker of a speech: a labelled line (`讲话人：…`), the heading's byline (see
/// [`infer_speaker`]), else a title led by a name (`习近平：…`).
pub(crate) fn infer_speaker_of(title: &str, body: &str, heading: &[&str]) -> Option<String> {
    body.lines()
        .map(trim_line)
        .take(OPENING_LINES)
        .take_while(|l| !is_salutation(l))
        .find_map(labelled)
        .or_else(|| infer_speaker(heading))
        .or_else(|| title_speaker(title))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heading_of(body: &str) -> Vec<&str> {
        heading(body)
    }

    #[test]
    fn kinds() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("2024年中华人民共和国国务院政府工作报告", "", Some("政府工作报告")),
            ("1964年中华人民共和国国务院政府工作报告（摘要）", "", Some("政府工作报告")),
            ("第十四届全国人民代表大会第一次会议关于政府工作报告的决议", "", Some("决议")),
            ("在市科技系统传达学习2025年中央经济工作会议精神会议上的总结讲话", "", Some("讲话")),
            ("中国共产党第十九届中央委员会第五次全体会议公报", "", Some("公报")),
            ("中共中央关于全面深化改革若干重大问题的决定", "", Some("决定")),
            ("国务院办公厅关于进一步优化营商环境的指导意见", "", Some("意见")),
            ("关于做好2025年元旦春节期间有关工作的通知", "", Some("通知")),
            ("在2025年中国国际服务贸易交易会全球服务贸易峰会上的致辞", "", Some("致辞")),
            ("二〇二五年新年贺词", "", Some("致辞")),
            ("最高人民法院工作报告", "", Some("报告")),
            ("在全市经济工作会议上的发言", "", Some("讲话")),
            ("中国共产党第一次全国代表大会纲领", "", Some("纲领")),
            ("中国共产党第二次全国代表大会关于民主的联合战线的议决案", "", Some("决议")),
            ("中国共产党章程", "", Some("章程")),
            ("《关于政府工作报告的决议》", "", Some("决议")),
            // Subtitle and opening.
            (
                "高举中国特色社会主义伟大旗帜",
                "高举中国特色社会主义伟大旗帜\n——在中国共产党第二十次全国代表大会上的报告\n（2022年10月16日）\n习近平\n同志们：\n现在，我代表第十九届中央委员会向大会作报告。",
                Some("报告"),
            ),
            (
                "",
                "各位代表：\n现在，我代表国务院，向大会报告政府工作，请予审议。",
                Some("政府工作报告"),
            ),
            ("奋力开创新局面", "奋力开创新局面\n同志们：\n今天召开全市大会。", Some("讲话")),
            // Counter-examples: a title about a speech is not a speech of that kind.
            ("学习讲话精神的心得体会", "", None),
            ("各位代表：", "各位代表：\n我们一起学习。", None),
        ];
        for (title, body, want) in cases {
            let h = heading_of(body);
            assert_eq!(infer_kind(title, &h, body).as_deref(), *want, "{title:?}");
        }
    }

    #[test]
    fn regions() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("2026年山东省政府工作报告", "", Some("山东省")),
            ("2026年内蒙古自治区政府工作报告", "", Some("内蒙古自治区")),
            (
                "2026年政府工作报告",
                "2026年政府工作报告\n——2026年1月28日在云南省第十四届人民代表大会第四次会议上\n省长　王予波\n各位代表：",
                Some("云南省"),
            ),
            ("2026年广州市政府工作报告", "", Some("广州市")),
            ("在杭州市委十三届八次全体会议上的讲话", "", Some("杭州市")),
            ("山东省济南市2025年政府工作报告", "", Some("山东省济南市")),
            ("在海淀区2025年经济工作会议上的讲话", "", Some("海淀区")),
            (
                "坚定不移走高质量发展之路",
                "坚定不移走高质量发展之路\n——在全市高质量发展大会上的讲话\n中共苏州市委书记　刘小涛",
                Some("苏州市"),
            ),
            ("在恩施州经济工作会议上的讲话", "", Some("恩施州")),
            ("2025年浙江政府工作报告", "", Some("浙江省")),
            ("2025年中华人民共和国国务院政府工作报告", "", Some("全国")),
            ("第十四届全国人民代表大会第一次会议关于政府工作报告的决议", "", Some("全国")),
            (
                "政府工作报告",
                "政府工作报告\n——2024年3月5日在第十四届全国人民代表大会第二次会议上\n国务院总理　李　强",
                Some("全国"),
            ),
            ("中国共产党第十九届中央委员会第五次全体会议公报", "", Some("全国")),
            ("在2025年全国商务工作会议上的讲话", "", Some("全国")),
            ("中共中央办公厅 国务院办公厅关于学习贯彻的通知", "", Some("全国")),
            (
                "在夏季达沃斯论坛开幕式上的致辞",
                "在夏季达沃斯论坛开幕式上的致辞\n中华人民共和国国务院总理　李强\n（2025年6月25日，天津）",
                Some("全国"),
            ),
            (
                "在庆祝中国共产党成立100周年大会上的讲话",
                "在庆祝中国共产党成立100周年大会上的讲话\n（2021年7月1日）\n习近平\n同志们：",
                None,
            ),
            ("在部务会议上的讲话", "在部务会议上的讲话\n商务部部长 王文涛", Some("全国")),
            ("传达学习中共中央政治局会议精神", "", None),
            // Counter-examples: local without a name; a municipal speech about a national meeting;
            // words that look like places.
            ("在市科技系统传达学习2025年中央经济工作会议精神会议上的总结讲话", "", None),
            ("在〔*〕市科技系统传达学习中共中央精神会议上的讲话", "", None),
            ("在全省学习贯彻中共中央决定大会上的讲话", "", None),
            (
                "在全省经济工作会议上的讲话",
                "在全省经济工作会议上的讲话\n中共浙江省委书记　王　浩\n同志们：",
                Some("浙江省"),
            ),
            ("关于规范市场秩序的意见", "", None),
            ("在这个市场上", "", None),
        ];
        for (title, body, want) in cases {
            let h = heading_of(body);
            assert_eq!(infer_region(title, &h).as_deref(), *want, "{title:?}");
        }
    }

    #[test]
    fn speakers_from_labels_and_titles() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("在全市大会上的讲话", "在全市大会上的讲话\n讲话人：王　明\n同志们：", Some("王明")),
            ("题目", "题目\n作者：市委书记 张三\n正文很长。", Some("张三")),
            ("习近平：在全国科技大会上的讲话", "同志们：\n今天开会。", Some("习近平")),
            // Counter-examples: a colon after a word, not a name; a label without a name.
            ("通知：关于放假的安排", "正文", None),
            ("学习：贯彻会议精神", "正文", None),
            ("题目", "题目\n作者：\n正文", None),
        ];
        for (title, body, want) in cases {
            let h = heading_of(body);
            assert_eq!(infer_speaker_of(title, body, &h).as_deref(), *want, "{title:?}");
        }
    }

    #[test]
    fn speakers() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                "政府工作报告\n——2024年3月5日在第十四届全国人民代表大会第二次会议上\n国务院总理\u{3000}\n李\u{3000}强\n各位代表：",
                Some("李强"),
            ),
            (
                "政府工作报告\n——2021年3月5日在第十三届全国人民代表大会第四次会议上\n国务院总理\n\u{3000}李克强\n各位代表：",
                Some("李克强"),
            ),
            (
                "2026年山东省政府工作报告\n——2026年1月27日在山东省第十四届人民代表大会第四次会议上\n来源：大众日报\n山东省省长 周乃翔\n各位代表：",
                Some("周乃翔"),
            ),
            (
                "2026年广西壮族自治区政府工作报告\n——2026年2月2日在广西壮族自治区第十四届人民代表大会第五次会议上\n自治区主席 韦 韬\n各位代表：",
                Some("韦韬"),
            ),
            (
                "陕西省2026年政府工作报告\n2026年1月27日在陕西省第十四届人民代表大会第四次会议上 陕西省省长 赵刚\n各位代表：",
                Some("赵刚"),
            ),
            (
                "2026年湖南省政府工作报告\n——2026年2月3日在湖南省第十四届人民代表大会第四次会议上\n毛伟明\n2月3日，湖南省第十四届人民代表大会第四次会议在省人民会堂开幕。省长毛伟明作政府工作报告。\n各位代表：",
                Some("毛伟明"),
            ),
            (
                "政府工作报告\n1957年6月26日在第一届全国人民代表大会第四次会议上\n周恩来\n各位代表：",
                Some("周恩来"),
            ),
            ("报告\n省长毛伟明作政府工作报告。记者 摄\n各位代表：", Some("毛伟明")),
            (
                "在全市经济工作会议上的讲话\n中共杭州市委书记　刘　捷\n（2025年1月3日）\n同志们：",
                Some("刘捷"),
            ),
            ("在全国科技大会上的讲话\n（2024年6月24日）\n习近平\n同志们：", Some("习近平")),
            (
                "高举伟大旗帜\n——在中国共产党第十七次全国代表大会上的报告\n胡锦涛\n同志们：",
                Some("胡锦涛"),
            ),
            ("在部务会议上的讲话\n商务部部长 王文涛\n同志们：", Some("王文涛")),
            ("在部务会议上的讲话\n商务部党组书记、部长 王文涛\n同志们：", Some("王文涛")),
            (
                "在夏季达沃斯论坛开幕式上的致辞\n中华人民共和国国务院总理　李强\n（2025年6月25日，天津）\n尊敬的各位来宾：",
                Some("李强"),
            ),
            // A speech whose title names another person: the byline decides.
            ("在纪念毛泽东同志诞辰130周年座谈会上的讲话\n市委书记 张明\n同志们：", Some("张明")),
            ("在大会上的讲话\n自治区主席 艾尔肯·吐尼亚孜\n同志们：", Some("艾尔肯·吐尼亚孜")),
            ("在大会上的讲话\n州长 洛桑江村\n同志们：", Some("洛桑江村")),
            // Counter-examples: web furniture that looks like a position and a word;
            ("市长信箱\n在大会上的讲话\n同志们：", None),
            // a resolution names the reporter in its text; no byline at all;
            // web furniture before the title; a dateline without a name.
            (
                "第十四届全国人民代表大会第三次会议听取和审议了国务院总理李强所作的\n政府工作报告\n。会议充分肯定国务院过去一年的工作。",
                None,
            ),
            ("各位代表：\n现在，我代表国务院，向大会报告政府工作。", None),
            ("云南要闻\n2026年政府工作报告\n各位代表：", None),
            (
                "决议\n（2023年3月13日第十四届全国人民代表大会第一次会议通过）\n会议听取了报告。",
                None,
            ),
        ];
        for (body, want) in cases {
            let h = heading_of(body);
            assert_eq!(infer_speaker(&h).as_deref(), *want, "{body:?}");
        }
    }
}
