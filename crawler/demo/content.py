"""Article texts of the demo sites (besides the NHK seed, which lives in data/).

Each article names the date signal its page carries, so the demo exercises
every path of date extraction: JSON-LD, meta tags, <time>, visible bylines in
Japanese and English forms, and dates given only by the feed or sitemap.
"""

from __future__ import annotations

# (slug, title, paragraphs, signal, raw date, subheading index or None)
JA_ARTICLES: list[tuple[str, str, list[str], str, str]] = [
    (
        "k10013520001",
        "関東で春一番 各地で気温上昇",
        [
            "気象台は9日、関東地方で春一番が吹いたと発表しました。去年より4日早い観測です。",
            "東京の都心では最高気温が20度を超え、4月中旬並みの暖かさとなりました。",
            "気象台は、強風による交通機関の乱れや火の取り扱いに注意するよう呼びかけています。",
        ],
        "json-ld",
        "2022-03-09T11:20:00+09:00",
    ),
    (
        "k10013520002",
        "日経平均株価 一時500円以上値下がり",
        [
            "9日の東京株式市場は、ウクライナ情勢への懸念から売り注文が広がり、日経平均株価は一時500円以上値下がりしました。",
            "市場関係者は、原油価格の高騰が企業業績に与える影響を見極めたいという声が多いと話しています。",
            "円相場は1ドル115円台で取り引きされています。",
        ],
        "meta",
        "2022-03-09T09:45:00+09:00",
    ),
    (
        "k10013520003",
        "新型コロナ 全国の新規感染者数 前週を下回る",
        [
            "厚生労働省によりますと、9日に全国で発表された新型コロナウイルスの新規感染者は5万人余りでした。",
            "前の週の同じ曜日と比べて、およそ7000人少なくなっています。",
            "専門家は、年度末の人の移動で再び増加に転じるおそれもあるとして、基本的な対策の継続を求めています。",
        ],
        "byline",
        "2022年3月9日 19時02分",
    ),
    (
        "k10013520004",
        "高校生の研究 国際コンテストで入賞",
        [
            "愛知県の高校生のグループが、微生物を使って廃棄物を分解する研究で国際的な科学コンテストに入賞しました。",
            "グループは2年間にわたって校内の実験室で培養を続け、分解の速度を従来の2倍に高めたということです。",
            "生徒たちは「将来は環境問題の解決に役立てたい」と話していました。",
        ],
        "time",
        "2022-03-09T16:30:00+09:00",
    ),
    (
        "k10013520005",
        "北陸新幹線 敦賀までの延伸工事 最終段階に",
        [
            "北陸新幹線の金沢から敦賀までの延伸工事が最終段階に入り、10日、報道関係者に公開されました。",
            "新たに設けられる駅舎では、内装の仕上げ作業が進められています。",
            "鉄道・運輸機構は、予定どおりの開業に向けて工事を進めるとしています。",
        ],
        "byline",
        "令和4年3月10日 午後1時15分",
    ),
    (
        "k10013520006",
        "プロ野球 オープン戦 新人選手が初本塁打",
        [
            "プロ野球のオープン戦が10日、各地で行われ、ドラフト1位で入団した新人選手がプロ初ホームランを打ちました。",
            "打球はレフトスタンドの中段に飛び込み、球場は大きな拍手に包まれました。",
            "選手は「感触はよかった。開幕一軍を目指してアピールを続けたい」と話していました。",
        ],
        "byline",
        "２０２２年３月１０日　２１時４８分",
    ),
    (
        "k10013520007",
        "東日本大震災から11年を前に 各地で追悼の催し",
        [
            "東日本大震災から11日で11年になるのを前に、被災地では犠牲者を追悼する催しが開かれています。",
            "岩手県の沿岸部では、竹の灯籠におよそ3000本のろうそくがともされました。",
            "参加した人たちは、静かに手を合わせて犠牲者を悼んでいました。",
        ],
        "json-ld",
        "2022-03-10T18:00:00+09:00",
    ),
    (
        "k10013520008",
        "ガソリン価格 7週連続の値上がり",
        [
            "資源エネルギー庁によりますと、レギュラーガソリンの全国平均価格は1リットルあたり174円60銭でした。",
            "7週連続の値上がりで、およそ13年半ぶりの高い水準となっています。",
            "政府は、石油元売り各社への補助金の上限を引き上げる方向で検討を進めています。",
        ],
        "meta",
        "2022-03-09T14:00:00+09:00",
    ),
    (
        "k10013520009",
        "桜の開花予想 東京は3月20日",
        [
            "民間の気象会社は、ことしの桜の開花予想を発表し、東京の開花は3月20日と予想しました。",
            "平年より4日早く、各地で見頃は3月下旬から4月上旬になる見込みです。",
            "気象会社は、3月に入って気温の高い日が多いことが影響したとしています。",
        ],
        "date-only",
        "2022年3月10日",
    ),
    (
        "k10013520010",
        "国産ワクチン 臨床試験の最終段階へ",
        [
            "国内の製薬会社は、開発中の新型コロナウイルスのワクチンについて、臨床試験の最終段階に入ったと発表しました。",
            "およそ4000人を対象に、有効性と安全性を確認するということです。",
            "会社は、年内の承認申請を目指すとしています。",
        ],
        "sitemap",
        "2022-03-10T10:10:00+09:00",
    ),
    (
        "k10013520011",
        "宇宙飛行士候補者の選抜試験 応募は過去最多",
        [
            "JAXAが13年ぶりに実施している宇宙飛行士候補者の選抜試験で、応募者が過去最多の4127人となりました。",
            "今回から学歴の条件が撤廃され、幅広い分野から応募があったということです。",
            "選抜は来年2月ごろまで続けられる予定です。",
        ],
        "time",
        "2022-03-11T08:30:00+09:00",
    ),
    (
        "k10013520012",
        "地方の鉄道 利用者減少で存続に向けた協議",
        [
            "利用者の減少が続く地方の鉄道路線について、国と自治体、鉄道会社による協議が始まりました。",
            "対象となる路線では、1日あたりの利用者が1キロあたり1000人を下回っています。",
            "自治体からは、地域の交通を守るための支援を求める声が上がっています。",
        ],
        "json-ld",
        "2022-03-11T12:40:00+09:00",
    ),
    (
        "k10013520013",
        "春の全国交通安全運動 新入生に注意呼びかけ",
        [
            "4月の新学期を前に、警察は通学路での交通安全の呼びかけを強化しています。",
            "去年、歩行中に事故にあった小学生は、1年生が最も多かったということです。",
            "警察は、ドライバーに対して子どもの飛び出しに十分注意するよう求めています。",
        ],
        "byline",
        "2022年3月11日 午前9時",
    ),
    (
        "k10013520014",
        "伝統工芸の職人 後継者育成へ新たな取り組み",
        [
            "石川県の伝統工芸、輪島塗の職人たちが、後継者を育てるための研修施設を新たに開設しました。",
            "研修生は3年間、漆の塗りや加飾の技術を学びます。",
            "職人の1人は「技術を次の世代に確実に伝えていきたい」と話していました。",
        ],
        "meta",
        "2022-03-11T15:20:00+09:00",
    ),
]

EN_ARTICLES: list[tuple[str, str, list[str], str, str]] = [
    (
        "2022/03/08/central-bank-holds-rates",
        "Central bank holds rates as inflation climbs",
        [
            "The central bank left its benchmark interest rate unchanged on Tuesday, saying it needed more time to judge how the war in Ukraine would affect prices.",
            "Consumer prices rose 7.5 percent in the year to February, the fastest pace in four decades, driven by energy and food.",
            "Economists had expected the pause, though two of the nine committee members voted for an immediate increase.",
            "The bank said it would revisit the decision at its April meeting.",
        ],
        "json-ld",
        "2022-03-08T10:15:00-05:00",
    ),
    (
        "2022/03/08/port-strike-ends",
        "Port strike ends after three-week standoff",
        [
            "Dock workers voted to return to work on Tuesday, ending a three-week strike that had left hundreds of containers stranded on the quays.",
            "The agreement raises wages by 6 percent this year and a further 4 percent next year.",
            "Shipping companies warned that clearing the backlog could take until the end of April.",
        ],
        "meta",
        "2022-03-08T16:40:00Z",
    ),
    (
        "2022/03/08/library-reopens",
        "City library reopens after two-year renovation",
        [
            "The central library reopened its doors on Tuesday after a renovation that cost 42 million dollars and took two years.",
            "The building now has a rooftop reading garden, a children's wing and a digital archive of local newspapers going back to 1851.",
            "More than 3,000 visitors came through on the first morning, according to the library.",
        ],
        "time",
        "2022-03-08T09:00:00-05:00",
    ),
    (
        "2022/03/08/wheat-prices",
        "Wheat prices hit record as exports stall",
        [
            "Wheat futures rose to a record high on Tuesday as shipments from the Black Sea region came to a near halt.",
            "Russia and Ukraine together account for almost a third of global wheat exports.",
            "Aid agencies warned that countries in North Africa and the Middle East that rely on imports would be hit hardest.",
            "Millers said bread prices could rise within weeks.",
        ],
        "byline",
        "March 8, 2022 2:30 PM EST",
    ),
    (
        "2022/03/09/electric-buses",
        "Transit agency orders 120 electric buses",
        [
            "The regional transit agency approved the purchase of 120 battery-electric buses on Wednesday, its largest order to date.",
            "The buses will replace diesel vehicles on the busiest routes, starting with the airport line in the autumn.",
            "The agency said the switch would cut its fuel bill by about a quarter.",
        ],
        "feed",
        "Wed, 09 Mar 2022 13:05:00 -0500",
    ),
    (
        "2022/03/09/marathon-route",
        "New marathon route crosses all five bridges",
        [
            "Organisers unveiled a new route for this year's city marathon on Wednesday that crosses all five river bridges.",
            "The course is slightly flatter than before, and organisers hope it will produce faster times.",
            "Registration opens on Monday, with 30,000 places available.",
        ],
        "json-ld",
        "2022-03-09T11:00:00-05:00",
    ),
    (
        "2022/03/09/chip-plant",
        "Chip maker picks valley site for new plant",
        [
            "A semiconductor manufacturer said on Wednesday it would build a 20 billion dollar factory in the river valley, creating about 3,000 jobs.",
            "Construction is due to start next year, with production beginning in 2025.",
            "State officials offered tax credits worth 1.2 billion dollars over twenty years to win the project.",
        ],
        "date-only",
        "March 9, 2022",
    ),
    (
        "2022/03/09/museum-returns-artefacts",
        "Museum returns artefacts to their country of origin",
        [
            "The national museum handed back 29 bronze sculptures on Wednesday, more than a century after they were taken.",
            "The return follows a three-year review of the museum's collection by a panel of historians.",
            "A delegation from the receiving country attended the ceremony and thanked the museum for its research.",
        ],
        "meta",
        "2022-03-09T19:30:00+00:00",
    ),
    (
        "2022/03/10/heat-pump-grants",
        "Households offered grants for heat pumps",
        [
            "Homeowners will be able to claim grants of up to 5,000 dollars to replace gas boilers with heat pumps, the government announced on Thursday.",
            "The scheme opens in May and is expected to fund about 90,000 installations a year.",
            "Installers welcomed the plan but warned of a shortage of trained engineers.",
        ],
        "atom",
        "2022-03-10T08:00:00-05:00",
    ),
    (
        "2022/03/10/river-cleanup",
        "Volunteers pull two tonnes of rubbish from river",
        [
            "More than 400 volunteers spent Thursday clearing rubbish from the banks of the river, collecting about two tonnes of waste.",
            "Plastic bottles made up most of the haul, but volunteers also found shopping trolleys, tyres and a piano.",
            "The river trust said the clean-up would become an annual event.",
        ],
        "json-ld",
        "2022-03-10T17:45:00-05:00",
    ),
    (
        "2022/03/10/school-meals",
        "School meals to include more local produce",
        [
            "Schools in the district will source at least half of their fresh food from local farms from September, the education board said on Thursday.",
            "The board said the change would add about 10 cents to the cost of each meal.",
            "Farmers' groups said the contracts would give small growers a steady income.",
        ],
        "time",
        "2022-03-10T12:00:00",
    ),
    (
        "2022/03/10/airport-expansion",
        "Airport expansion approved despite objections",
        [
            "Planners approved a new terminal at the city airport on Thursday, rejecting objections from residents about noise.",
            "The airport says the terminal will let it handle 14 million passengers a year, up from 9 million.",
            "Opponents said they would consider a legal challenge.",
        ],
        "byline",
        "March 10, 2022 6:20 PM EST",
    ),
    (
        "2022/03/11/jobs-report",
        "Employers add 678,000 jobs in February",
        [
            "Employers added 678,000 jobs in February, far more than expected, according to figures released on Friday.",
            "The unemployment rate fell to 3.8 percent, its lowest level since the start of the pandemic.",
            "Average hourly earnings were flat, however, as more people returned to lower-paid work in restaurants and hotels.",
            "The employers added jobs in almost every sector, led by leisure and hospitality.",
        ],
        "json-ld",
        "2022-03-11T08:30:00-05:00",
    ),
    (
        "2022/03/11/orchestra-tour",
        "Youth orchestra announces first overseas tour",
        [
            "The city's youth orchestra will tour Japan and South Korea in August, its first trip abroad.",
            "The 80 musicians, aged 14 to 21, will play six concerts including a performance in Osaka.",
            "The orchestra is raising money from local businesses to cover travel costs.",
        ],
        "meta",
        "2022-03-11T14:10:00-05:00",
    ),
    (
        "2022/03/11/bridge-repairs",
        "Bridge repairs to close lanes for six months",
        [
            "Two lanes of the north bridge will close from April for six months of repairs, the highways department said on Friday.",
            "Engineers found corrosion in the steel cables during an inspection last year.",
            "Officials advised drivers to use the tunnel or public transport during peak hours.",
            "Engineers found corrosion in the steel cables during an inspection last year.",
        ],
        "json-ld",
        "2022-03-11T10:00:00-05:00",
    ),
]

EN_AUTHORS = ["Jane Doe", "Samuel Okafor", "Priya Raman", "Tom Becker"]
