"""Small vocabularies the synthetic platform writes its text from.

Real words and scripts (Latin, Han in simplified and traditional forms, Cyrillic,
Turkish, Kana, Hangul, Arabic) so that language identification, segmentation and
near-duplicate detection meet the same material as on a real platform. Nothing
here is meant to be meaningful prose: word salad with the right alphabet, plus
a few topic templates for the planted operations.
"""

from __future__ import annotations

from typing import Any

WORDS: dict[str, list[str]] = {
    "en": (
        "the a to and of in is it you that for on my this with be was have just "
        "not are so but at me all your like what can get love good day out today "
        "people now time new one about know more will think really see go great "
        "work game music home night weekend coffee team news friends family city "
        "morning happy life week school movie best show world watch read book "
        "never always back year still right going need want thanks lol wow amazing "
        "food dog cat weather rain sun beach trip flight train bus office meeting "
        "election vote market price stocks tech phone app update video photo live"
    ).split(),
    "es": (
        "el la de que y en a los se por un una con para es no lo como pero más "
        "hoy día vida amor casa trabajo noche mañana gracias bien muy todo nada "
        "siempre nunca amigos familia ciudad fútbol partido música película libro "
        "feliz semana fin tiempo lluvia sol playa viaje comida café gente mundo "
        "noticias gobierno país precio escuela mejor nuevo buena hermosa jajaja"
    ).split(),
    "ja": (
        "今日 明日 昨日 本当 楽しい 嬉しい 仕事 会社 電車 ご飯 美味しい 天気 雨 "
        "友達 家族 映画 音楽 ライブ 最高 かわいい すごい ありがとう おはよう "
        "おやすみ 週末 旅行 東京 大阪 ラーメン コーヒー 猫 犬 写真 動画 ゲーム "
        "アニメ 漫画 新しい 頑張る 疲れた 眠い 春 桜 ニュース 試合 応援"
    ).split(),
    "zh": (
        "今天 明天 昨天 我们 你们 他们 朋友 家人 工作 生活 学校 老师 学生 "
        "电影 音乐 美食 咖啡 天气 下雨 周末 旅行 城市 新闻 手机 视频 照片 "
        "开心 快乐 喜欢 觉得 真的 非常 一起 时间 世界 社会 经济 文化 历史 "
        "健康 医院 孩子 父母 早上 晚上 读书 运动 篮球 足球 比赛 加油 谢谢 "
        "自由 民主 选举 市场 公司 科技 网络 春天 北京 上海 香港 台北 纽约"
    ).split(),
    "ru": (
        "и в не на я что он с как это по но они мы вы все так его за от "
        "сегодня завтра вчера работа дом семья друзья город новости погода "
        "утро вечер ночь жизнь время мир люди страна власть выборы рынок цена "
        "спасибо хорошо отлично музыка фильм книга футбол матч весна зима "
        "москва россия школа дети кофе чай праздник выходные путешествие"
    ).split(),
    "tr": (
        "ve bir bu da de için ile çok ne ben sen biz siz o ama gibi daha "
        "bugün yarın dün iş ev aile arkadaş şehir haber hava sabah akşam gece "
        "hayat zaman dünya insan ülke seçim piyasa fiyat teşekkürler güzel "
        "müzik film kitap futbol maç bahar kış istanbul ankara okul çocuk "
        "kahve çay bayram hafta sonu yolculuk mutlu harika"
    ).split(),
    "ar": (
        "في من على إلى عن مع هذا هذه كان اليوم غدا أمس العمل البيت العائلة "
        "الأصدقاء المدينة الأخبار الطقس الصباح المساء الحياة الوقت العالم الناس "
        "شكرا جميل رائع الموسيقى فيلم كتاب كرة مباراة القهوة الشاي سعيد"
    ).split(),
    "ko": (
        "오늘 내일 어제 정말 너무 좋아 사랑해 고마워 최고 음악 무대 노래 "
        "앨범 팬 응원 축하 생일 컴백 영상 사진 멋지다 귀엽다 행복 주말"
    ).split(),
}

# Languages written without spaces between words.
NO_SPACE = {"zh", "ja"}

FIRST_NAMES: dict[str, list[str]] = {
    "en": (
        "James Mary John Patricia Robert Jennifer Michael Linda David Elizabeth "
        "William Barbara Richard Susan Joseph Jessica Thomas Sarah Chris Karen "
        "Daniel Nancy Matthew Lisa Anthony Betty Mark Sandra Paul Ashley Steven "
        "Emily Kevin Donna Brian Michelle Eliza Grace Henry Olivia Noah Emma"
    ).split(),
    "es": "José María Juan Carmen Luis Ana Carlos Lucía Jorge Sofía Pedro Elena Miguel Laura".split(),
    "ja": "Haruto Yui Sota Hina Yuto Aoi Ren Sakura Kaito Mio Riku Yuna".split(),
    "zh": "Wei Fang Lei Jing Min Yan Hao Xin Jun Lin Tao Hui Ming Qiang Li Na".split(),
    "ru": "Ivan Olga Dmitry Anna Sergey Elena Alexei Natalia Mikhail Irina Pavel Maria".split(),
    "tr": "Mehmet Ayşe Mustafa Fatma Ahmet Emine Ali Hatice Hüseyin Zeynep Murat Elif".split(),
    "ar": "Mohammed Fatima Ahmed Aisha Omar Layla Youssef Mariam Khalid Noor".split(),
    "ko": "Minjun Seoyeon Jiho Jiwoo Hajun Soyeon Yejun Chaewon".split(),
}
SURNAMES: dict[str, list[str]] = {
    "en": "Smith Johnson Brown Jones Miller Davis Wilson Moore Taylor Clark Lewis Walker Hall Young".split(),
    "es": "García Martínez López González Rodríguez Pérez Sánchez Ramírez Torres Flores".split(),
    "ja": "Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura".split(),
    "zh": "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun".split(),
    "ru": "Ivanov Smirnov Kuznetsov Popov Vasiliev Petrov Sokolov Mikhailov".split(),
    "tr": "Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir".split(),
    "ar": "Hassan Ali Ibrahim Mahmoud Saleh Abdullah Nasser Karim".split(),
    "ko": "Kim Lee Park Choi Jung Kang Cho Yoon".split(),
}
# Chinese personal names in Han script, for display names.
HAN_SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高")
HAN_GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文红")

HANDLE_WORDS = (
    "sun moon star blue red sky cat dog wolf fox bear tiger dragon rain snow "
    "music game art photo travel food coffee tea book film news real the its "
    "official daily happy lucky crazy little big dream night city life love"
).split()

LOCATIONS: dict[str, list[str]] = {
    "en": [
        "New York, NY",
        "Los Angeles, CA",
        "London, England",
        "Chicago, IL",
        "Texas, USA",
        "Toronto, Ontario",
        "Sydney",
        "",
        "",
        "earth",
    ],
    "es": ["Madrid, España", "Ciudad de México", "Buenos Aires", "Bogotá", "Lima, Perú", ""],
    "ja": ["東京", "大阪", "日本", "Tokyo", ""],
    "zh": ["香港", "台北", "Hong Kong", "Taipei", "New York", "Vancouver", "Sydney", "", ""],
    "ru": ["Москва", "Санкт-Петербург", "Россия", "Moscow", ""],
    "tr": ["İstanbul", "Ankara", "Türkiye", "İzmir", ""],
    "ar": ["Dubai", "Cairo", "الرياض", ""],
    "ko": ["Seoul", "서울", "Korea", ""],
}

BIO_WORDS: dict[str, list[str]] = {
    "en": "lover of coffee books travel music dad mom student writer gamer engineer views my own fan runner photographer".split(),
    "es": "amante del café libros viajes música estudiante escritor fotógrafo".split(),
    "ja": "社会人 学生 音楽 好き 旅行 写真 アニメ".split(),
    "zh": "热爱 生活 音乐 旅行 摄影 读书 自由 香港人 台湾".split(),
    "ru": "люблю кофе книги музыка путешествия студент фотограф".split(),
    "tr": "kahve kitap müzik seyahat öğrenci yazar fotoğraf".split(),
    "ar": "أحب القهوة الكتب السفر الموسيقى طالب".split(),
    "ko": "음악 팬 학생 여행 사진".split(),
}

HASHTAGS: dict[str, list[str]] = {
    "en": "covid19 coronavirus stayhome mondaymotivation tbt nba nfl music love photography travel news election2020 tech crypto".split(),
    "es": "covid19 quedateencasa futbol musica amor noticias viernes".split(),
    "ja": "コロナ 拡散希望 お疲れ様 おはよう 桜 アニメ".split(),
    "zh": "香港 台湾 新冠肺炎 武汉 美食 旅行 音乐 自由".split(),
    "ru": "коронавирус новости москва футбол музыка весна".split(),
    "tr": "koronavirüs evdekal istanbul futbol müzik haber".split(),
    "ar": "كورونا خليك_بالبيت السعودية مصر".split(),
    "ko": "방탄소년단 음악 일상 주말".split(),
}

URL_DOMAINS = (
    "youtube.com nytimes.com bbc.co.uk cnn.com theguardian.com instagram.com "
    "spotify.com medium.com reddit.com github.com elpais.com nhk.or.jp "
    "scmp.com hk01.com rfa.org ria.ru meduza.io hurriyet.com.tr sozcu.com.tr "
    "aljazeera.net amazon.com etsy.com twitch.tv soundcloud.com washingtonpost.com "
    "reuters.com apnews.com bloomberg.com wsj.com ltn.com.tw udn.com"
).split()

CLIENTS = [
    "Twitter for iPhone",
    "Twitter for Android",
    "Twitter Web App",
    "Twitter Web Client",
    "Twitter for iPad",
    "TweetDeck",
    "Hootsuite Inc.",
    "SocialFlow",
    "dlvr.it",
    "Buffer",
    "WordPress.com",
    "IFTTT",
]
CLIENT_INDEX = {c: i for i, c in enumerate(CLIENTS)}

EMOJI = ["😂", "❤️", "🔥", "👍", "🙏", "😭", "✨", "💪", "😊", "🎉", "!", "!!", "…", "?"]

# ---- planted operation material --------------------------------------------------------

# cn_2020 templates: each is a list of slots; each slot a list of alternatives (simplified).
CN_TEMPLATES: dict[str, list[list[str]]] = {
    "hk": [
        ["香港", "香港的", "现在的香港", "看看香港"],
        ["暴徒", "黑衣暴徒", "乱港分子", "港独分子"],
        ["肆意破坏", "打砸抢烧", "严重破坏", "疯狂破坏"],
        ["社会秩序", "法治", "市民生活", "香港繁荣稳定"],
        ["，", "。", "！"],
        ["美国", "美国政客", "西方媒体", "某些国家"],
        ["双重标准", "自己国家乱成一团", "看看自己的黑人抗议", "却对本国警察暴力视而不见"],
        ["。", "！", "！！", "？"],
    ],
    "covid": [
        ["中国", "我们的国家", "中国政府", "中国人民"],
        ["抗击疫情", "战胜新冠肺炎", "控制住了疫情", "全力抗疫"],
        ["取得了巨大成就", "为世界争取了时间", "效率惊人", "值得全世界学习"],
        ["，", "。"],
        ["美国", "美国政府", "特朗普政府", "某些西方国家"],
        ["却甩锅中国", "抗疫一塌糊涂", "只会污名化", "应该反思自己"],
        ["。", "！", "！！"],
    ],
    "taiwan": [
        ["台湾", "台湾当局", "民进党", "蔡英文"],
        ["是中国不可分割的一部分", "勾结外部势力", "搞台独没有出路", "只会出卖台湾人民利益"],
        ["，", "。"],
        ["两岸同胞", "台湾同胞", "中华儿女"],
        ["血浓于水", "盼望统一", "不会答应", "终将团圆"],
        ["。", "！"],
    ],
    "guo": [
        ["郭文贵", "逃犯郭文贵", "骗子郭文贵", "郭骗子"],
        ["到处行骗", "欺骗海外华人", "谎话连篇", "骗取钱财"],
        ["，", "。"],
        ["大家", "海外华人", "网友们", "各位"],
        ["不要上当", "看清他的真面目", "远离骗子", "擦亮眼睛"],
        ["。", "！", "！！"],
    ],
}
CN_HASHTAGS: dict[str, list[str]] = {
    "hk": ["香港", "HongKong", "香港暴徒", "BlackLivesMatter"],
    "covid": ["新冠肺炎", "COVID19", "中国加油", "抗疫"],
    "taiwan": ["台湾", "Taiwan", "台独"],
    "guo": ["郭文贵", "GuoWengui", "骗子"],
}
CN_URLS = [
    "https://www.youtube.com/watch?v=",
    "https://truth-hk-daily.com/article/",
    "https://www.toutiao.com/a",
]
SPAM_EN = (
    "best deals shop now free shipping discount buy cheap offer limited sale "
    "fashion bags shoes watches followers click link win prize bitcoin earn"
).split()
SPAM_DOMAIN = "https://shop-megadeals.net/p/"

RU_DOMAIN = "https://rf-vestnik.ru"
RU_HEADLINE = (
    "Москва заявила о новых мерах поддержки экономики Запад снова обвиняет "
    "Россию эксперты оценили санкции США кризис в Европе усиливается вакцина "
    "российские учёные НАТО провокация граница Украина выборы Вашингтон"
).split()

TR_WORDS = (
    "Reis milletimiz güçlü Türkiye yerli milli hizmet devlet büyük başarı "
    "birlik beraberlik vatan şehit gazi Ankara dimdik ayakta hedef 2023 "
    "teşekkürler liderimiz yolumuzdan dönmeyeceğiz hainler asla"
).split()
TR_HASHTAGS = ["AKParti", "ReisinYanındayız", "BizBirlikteTürkiyeyiz", "YerliVeMilli", "2023Hedefi"]

# Authentic coordination material.
FANDOM: list[dict[str, Any]] = [
    {
        "idol": "STARLIGHT",
        "lang": "ko",
        "tags": ["STARLIGHT", "StarlightComeback", "NeonDreams", "StreamNeonDreams", "스타라이트"],
    },
    {
        "idol": "Mina Aoyama",
        "lang": "ja",
        "tags": ["MinaAoyama", "青山美奈", "MinaWorldTour", "HappyMinaDay", "VoteMina"],
    },
    {
        "idol": "Jayden Cole",
        "lang": "en",
        "tags": ["JaydenCole", "JC2020", "GoldenHourJC", "StreamGoldenHour"],
    },
]
FAN_WORDS = "omg queen king stream vote proud love slay legend iconic best comeback mv album tour tickets".split()

ACTIVIST_TAGS = [
    ["StandWithHongKong", "香港"],
    ["FreeHongKong", "光復香港時代革命"],
    ["HongKongProtests", "FightForFreedom"],
    ["WuhanCoronavirus", "CCPVirus"],
    ["TaiwanCanHelp", "台灣"],
    ["MilkTeaAlliance", "StandWithHongKong"],
    ["5DemandsNot1Less", "FreeHongKong"],
    ["SaveHKers", "香港"],
]
ACTIVIST_WORDS_EN = (
    "freedom democracy hong kong people stand together police accountability "
    "rally tonight join us vote solidarity rights never forget taiwan covid "
    "truth transparency speak up world watching students"
).split()
ACTIVIST_WORDS_ZH = (
    "香港人 加油 自由 民主 五大诉求 缺一不可 今晚 集会 光复香港 时代革命 "
    "警察 问责 台湾 武汉肺炎 真相 不要忘记 齐上齐落 手足"
).split()

NEWS_OUTLETS = [
    ("globe-daily.com", "GlobeDaily", "en"),
    ("worldwire-news.com", "WorldWire", "en"),
    ("eltiempo-hoy.es", "TiempoHoy", "es"),
    ("asia-pacific-post.com", "APacPost", "en"),
    ("kyiv-moscow-observer.com", "KMObserver", "ru"),
    ("bosphorus-times.com", "BosphorusTimes", "tr"),
    ("huaren-tribune.com", "HuarenTribune", "zh"),
    ("tokyo-ledger.jp", "TokyoLedger", "ja"),
]
NEWS_FEEDS = ["", "Breaking", "World", "Politics", "Biz", "Live"]
NEWS_CLIENTS = ["SocialFlow", "TweetDeck", "Hootsuite Inc.", "dlvr.it", "Buffer", "WordPress.com"]
