"""Demo pages of the home app, in Vietnamese and English: the introduction,
guidance on the online services, news, and a section for each Decree 43
kind the home app holds. Bodies are StreamField raw data."""

from core.disclosure import DisclosureKind


def p(*paragraphs: str) -> dict:
    return {"type": "paragraph", "value": "".join(f"<p>{x}</p>" for x in paragraphs)}


def h(text: str) -> dict:
    return {"type": "heading", "value": {"text": text, "level": "h2"}}


def ul(*items: str) -> dict:
    return {"type": "paragraph", "value": "<ul>" + "".join(f"<li>{x}</li>" for x in items) + "</ul>"}


def callout(kind: str, title: str, text: str) -> dict:
    return {"type": "callout", "value": {"kind": kind, "title": title, "text": f"<p>{text}</p>"}}


def table(caption: str, rows: list[list[str]]) -> dict:
    return {
        "type": "table",
        "value": {"data": rows, "first_row_is_table_header": True, "first_col_is_header": False,
                  "table_caption": caption},
    }


SETTINGS = {
    "portal_name": "Cổng dịch vụ công tỉnh Đắk Lắk",
    "portal_name_en": "Dak Lak Public Services Portal",
    "province_name": "Ủy ban nhân dân tỉnh Đắk Lắk",
    "province_name_en": "Dak Lak Provincial People's Committee",
    "address": "Số 09 Lê Duẩn, phường Buôn Ma Thuột, tỉnh Đắk Lắk",
    "address_en": "9 Le Duan Street, Buon Ma Thuot Ward, Dak Lak Province",
    "phone": "0262 3852 555",
    "hotline": "1900 1096",
    "email": "dichvucong@daklak.gov.vn",
    "responsible": "Cơ quan chủ quản: Văn phòng UBND tỉnh Đắk Lắk. Chịu trách nhiệm nội dung: Chánh Văn phòng UBND tỉnh.",
    "responsible_en": "Run by the Office of the Provincial People's Committee; its Chief Officer is responsible for the content.",
}

HOME_INTRO = {
    "vi": "Tra cứu thủ tục hành chính, tải biểu mẫu, nộp hồ sơ trực tuyến, theo dõi tiến độ và nhận kết quả.",
    "en": "Find an administrative procedure, download its forms, apply online, follow your dossier and get the result.",
}

# Each section: slug, kind (or ""), in_menu, vi/en title, summary and body, children.
SECTIONS = [
    {
        "slug": "gioi-thieu", "kind": DisclosureKind.INTRODUCTION, "menu": True,
        "vi": {
            "title": "Giới thiệu",
            "summary": "Chức năng, nhiệm vụ, cơ cấu tổ chức và thông tin liên hệ của UBND tỉnh Đắk Lắk.",
            "body": [
                h("Chức năng, nhiệm vụ"),
                p("Ủy ban nhân dân tỉnh là cơ quan chấp hành của Hội đồng nhân dân tỉnh, cơ quan hành chính nhà nước ở địa phương, chịu trách nhiệm trước Hội đồng nhân dân tỉnh và cơ quan hành chính nhà nước cấp trên.",
                  "Trung tâm Phục vụ hành chính công tỉnh tiếp nhận hồ sơ thủ tục hành chính của mọi người dân, doanh nghiệp trên địa bàn tỉnh, không phụ thuộc vào nơi cư trú."),
                h("Cơ cấu tổ chức"),
                table("Các đơn vị trực thuộc", [
                    ["Đơn vị", "Chức năng chính"],
                    ["Văn phòng UBND tỉnh", "Tham mưu, tổng hợp; quản lý Cổng dịch vụ công"],
                    ["Trung tâm Phục vụ hành chính công", "Tiếp nhận, trả kết quả theo cơ chế một cửa"],
                    ["Sở Tư pháp", "Hộ tịch, lý lịch tư pháp, chứng thực"],
                    ["Sở Nông nghiệp và Môi trường", "Đất đai, môi trường, nông nghiệp"],
                    ["Sở Xây dựng", "Quy hoạch, cấp phép xây dựng, giao thông"],
                    ["Sở Tài chính", "Đăng ký doanh nghiệp, đầu tư, ngân sách"],
                ]),
                h("Lãnh đạo"),
                ul("Chủ tịch UBND tỉnh: lãnh đạo, điều hành chung mọi hoạt động của UBND tỉnh.",
                   "Phó Chủ tịch thường trực: phụ trách kinh tế, tài chính, đầu tư.",
                   "Phó Chủ tịch: phụ trách văn hóa, xã hội, cải cách hành chính."),
            ],
        },
        "en": {
            "title": "About us",
            "summary": "Functions, duties, organisation and contact details of the Dak Lak Provincial People's Committee.",
            "body": [
                h("Functions and duties"),
                p("The Provincial People's Committee is the executive body of the Provincial People's Council and the local state administration, accountable to the Council and to the central government.",
                  "The Provincial Public Administration Service Centre accepts dossiers from every citizen and business in the province, wherever they live."),
                h("Organisation"),
                table("Units", [
                    ["Unit", "Main responsibilities"],
                    ["Office of the Provincial People's Committee", "Advice and coordination; runs this portal"],
                    ["Public Administration Service Centre", "One-stop reception and return of results"],
                    ["Department of Justice", "Civil status, judicial records, certification"],
                    ["Department of Agriculture and Environment", "Land, environment, agriculture"],
                    ["Department of Construction", "Planning, building permits, transport"],
                    ["Department of Finance", "Business registration, investment, budget"],
                ]),
                h("Leadership"),
                ul("Chairperson: leads and directs all work of the Committee.",
                   "Standing Vice Chairperson: economy, finance and investment.",
                   "Vice Chairperson: culture, society and administrative reform."),
            ],
        },
        "children": [],
    },
    {
        "slug": "huong-dan", "kind": "", "menu": True,
        "vi": {"title": "Hướng dẫn", "summary": "Cách sử dụng dịch vụ công trực tuyến, dịch vụ công tại nhà và nơi liên hệ hỗ trợ.", "body": []},
        "en": {"title": "Help", "summary": "How to use the online services and the home service, and where to get help.", "body": []},
        "children": [
            {
                "slug": "nop-ho-so-truc-tuyen",
                "vi": {
                    "title": "Hướng dẫn nộp hồ sơ trực tuyến",
                    "summary": "Các bước tìm thủ tục, đăng nhập, khai hồ sơ, đính kèm giấy tờ và theo dõi kết quả.",
                    "body": [
                        h("Trước khi bắt đầu"),
                        p("Chuẩn bị bản chụp hoặc bản quét rõ nét các giấy tờ trong thành phần hồ sơ (định dạng PDF, JPG hoặc PNG). Đăng nhập bằng tài khoản định danh điện tử VNeID hoặc tài khoản thư điện tử của Cổng."),
                        h("Các bước"),
                        {"type": "paragraph", "value": "<ol><li>Tìm thủ tục bằng ô tìm kiếm (có thể gõ không dấu, ví dụ “dang ky khai sinh”) hoặc theo lĩnh vực, cơ quan.</li><li>Đọc kỹ thành phần hồ sơ, thời hạn giải quyết và lệ phí; tải biểu mẫu nếu cần.</li><li>Chọn “Nộp hồ sơ trực tuyến”, điền thông tin, đính kèm giấy tờ và kiểm tra lại trước khi nộp.</li><li>Ghi lại mã hồ sơ để theo dõi tiến độ tại mục “Tra cứu hồ sơ” hoặc “Hồ sơ của tôi”; giấy tiếp nhận hồ sơ được gửi đến địa chỉ thư điện tử của bạn.</li></ol>"},
                        callout("info", "Mức độ dịch vụ", "Dịch vụ công trực tuyến toàn trình cho phép nộp hồ sơ, thanh toán phí và nhận kết quả hoàn toàn trên mạng; dịch vụ một phần cần đến cơ quan để nộp bản gốc hoặc nhận kết quả."),
                    ],
                },
                "en": {
                    "title": "How to apply online",
                    "summary": "Finding a procedure, signing in, filling in the dossier, attaching documents and following the result.",
                    "body": [
                        h("Before you start"),
                        p("Have clear photos or scans of the documents the procedure asks for (PDF, JPG or PNG). Sign in with your VNeID electronic identity or with an email account on this portal."),
                        h("Steps"),
                        {"type": "paragraph", "value": "<ol><li>Find the procedure with the search box or by field or agency.</li><li>Read what to submit, how long it takes and the fee; download the forms if needed.</li><li>Choose “Apply online”, fill in the form, attach your documents and check everything before you submit.</li><li>Keep the dossier code to follow progress under “Look up a dossier” or “My dossiers”; the receipt for your dossier is sent to your email address.</li></ol>"},
                        callout("info", "Service levels", "A full online service lets you apply, pay and receive the result entirely online; a partial one needs a visit to hand in originals or to collect the result."),
                    ],
                },
            },
            {
                "slug": "dich-vu-cong-tai-nha",
                "vi": {
                    "title": "Dịch vụ công tại nhà qua bưu điện",
                    "summary": "Yêu cầu bưu điện đến nhận hồ sơ giấy tại nhà và nhận kết quả qua bưu điện.",
                    "body": [
                        p("Khi nộp hồ sơ trực tuyến, chọn hình thức “Dịch vụ công tại nhà”, nhập địa chỉ, ngày và khung giờ thuận tiện; bạn cũng có thể chọn nhận kết quả qua bưu điện. Cổng ghi yêu cầu này vào hồ sơ gửi cơ quan tiếp nhận.",
                          "Cổng chưa tự đặt lịch với doanh nghiệp bưu chính và chưa gửi thông báo về việc nhận hồ sơ. Nếu cần hỏi về lịch nhận, hãy liên hệ cơ quan tiếp nhận hồ sơ (thông tin liên hệ có trên trang thủ tục) hoặc tổng đài hỗ trợ."),
                        p("Cước dịch vụ bưu chính công ích được thu theo biểu giá của doanh nghiệp bưu chính, ngoài phí, lệ phí của thủ tục."),
                        callout("warning", "Lưu ý", "Giấy tờ gốc cần được kiểm tra khi giao cho nhân viên bưu điện; hãy giữ phiếu giao nhận."),
                    ],
                },
                "en": {
                    "title": "Home service by post",
                    "summary": "Ask for the post to collect your paper documents at home, and for the result by post.",
                    "body": [
                        p("When you apply online, choose “Home service” and enter your address, a day and a convenient time window; you may also choose to receive the result by post. The portal records this request in the dossier sent to the receiving agency.",
                          "The portal does not yet book the collection with the postal operator, nor send notices about it. For questions about the collection, contact the receiving agency (its details are on the procedure's page) or the helpline."),
                        p("The postal fee follows the postal operator's public price list and is paid on top of the procedure's own fee."),
                        callout("warning", "Please note", "Originals are checked when you hand them to the postal officer; keep the delivery slip."),
                    ],
                },
            },
            {
                "slug": "lien-he",
                "vi": {
                    "title": "Liên hệ, hỗ trợ",
                    "summary": "Đường dây nóng, địa chỉ và giờ làm việc của Trung tâm Phục vụ hành chính công.",
                    "body": [
                        table("Đầu mối hỗ trợ", [
                            ["Đầu mối", "Liên hệ"],
                            ["Tổng đài hỗ trợ dịch vụ công", "1900 1096"],
                            ["Trung tâm Phục vụ hành chính công", "0262 3555 888 – 09 Lê Duẩn, phường Buôn Ma Thuột"],
                            ["Thư điện tử", "dichvucong@daklak.gov.vn"],
                        ]),
                        p("Giờ làm việc: sáng 7 giờ 00 – 11 giờ 30, chiều 13 giờ 30 – 17 giờ 00, từ thứ Hai đến thứ Sáu (trừ ngày lễ, Tết)."),
                    ],
                },
                "en": {
                    "title": "Contact and help",
                    "summary": "Hotline, address and opening hours of the Public Administration Service Centre.",
                    "body": [
                        table("Where to get help", [
                            ["Contact", "Details"],
                            ["Online services helpline", "1900 1096"],
                            ["Public Administration Service Centre", "0262 3555 888 – 9 Le Duan Street, Buon Ma Thuot Ward"],
                            ["Email", "dichvucong@daklak.gov.vn"],
                        ]),
                        p("Opening hours: 7:00–11:30 and 13:30–17:00, Monday to Friday (except public holidays)."),
                    ],
                },
            },
        ],
    },
    {
        "slug": "chi-dao-dieu-hanh", "kind": DisclosureKind.DIRECTION, "menu": False,
        "vi": {"title": "Chỉ đạo, điều hành", "summary": "Ý kiến chỉ đạo của lãnh đạo tỉnh, trả lời kiến nghị, khen thưởng, xử phạt và lịch công tác.",
               "body": [h("Lịch công tác tuần"), table("Lịch công tác của lãnh đạo UBND tỉnh", [["Ngày", "Nội dung", "Chủ trì"], ["Thứ Hai", "Giao ban cải cách hành chính", "Chủ tịch UBND tỉnh"], ["Thứ Tư", "Tiếp công dân định kỳ", "Phó Chủ tịch UBND tỉnh"]]),
                        h("Trả lời kiến nghị của công dân"), p("Trả lời kiến nghị về thời gian cấp giấy chứng nhận quyền sử dụng đất tại phường Tân An: UBND tỉnh đã chỉ đạo rút ngắn thời gian giải quyết xuống 10 ngày làm việc.")]},
        "en": {"title": "Direction and administration", "summary": "Leaders' directions, answers to petitions, commendations, sanctions and the leaders' work calendar.",
               "body": [h("This week's calendar"), table("Work calendar of the provincial leaders", [["Day", "Business", "Chaired by"], ["Monday", "Administrative reform briefing", "Chairperson"], ["Wednesday", "Regular reception of citizens", "Vice Chairperson"]]),
                        h("Answers to citizens' petitions"), p("On the time taken to issue land-use certificates in Tan An Ward: the Committee has directed that it be cut to 10 working days.")]},
        "children": [],
    },
    {
        "slug": "pho-bien-phap-luat", "kind": DisclosureKind.GUIDANCE, "menu": False,
        "vi": {"title": "Phổ biến, hướng dẫn pháp luật", "summary": "Tuyên truyền, phổ biến và hướng dẫn thực hiện pháp luật, chính sách.",
               "body": [p("Từ ngày 01/7/2025, tỉnh tổ chức chính quyền địa phương hai cấp: cấp tỉnh và cấp xã. Người dân nộp hồ sơ tại Trung tâm Phục vụ hành chính công tỉnh hoặc bộ phận một cửa cấp xã bất kỳ trong tỉnh."),
                        p("Nghị định 118/2025/NĐ-CP quy định việc thực hiện thủ tục hành chính theo cơ chế một cửa, một cửa liên thông tại bộ phận một cửa và Cổng dịch vụ công quốc gia.")]},
        "en": {"title": "Laws and policies explained", "summary": "Dissemination of and guidance on laws and policies.",
               "body": [p("Since 1 July 2025 the province has two tiers of local government: the province and the communes. Citizens may apply at the provincial service centre or at any commune's one-stop desk in the province."),
                        p("Decree 118/2025/ND-CP governs one-stop handling of administrative procedures at one-stop desks and on the National Public Service Portal.")]},
        "children": [],
    },
    {
        "slug": "chien-luoc-quy-hoach", "kind": DisclosureKind.STRATEGY, "menu": False,
        "vi": {"title": "Chiến lược, quy hoạch, kế hoạch", "summary": "Chiến lược, định hướng, quy hoạch và kế hoạch phát triển của tỉnh.",
               "body": [p("Quy hoạch tỉnh Đắk Lắk thời kỳ 2021–2030, tầm nhìn đến năm 2050; Kế hoạch chuyển đổi số tỉnh năm 2026, trong đó 100% thủ tục hành chính đủ điều kiện được cung cấp dưới dạng dịch vụ công trực tuyến toàn trình.")]},
        "en": {"title": "Strategies and plans", "summary": "Strategies, master plans and development plans of the province.",
               "body": [p("The Dak Lak master plan for 2021–2030 with a vision to 2050; the 2026 digital transformation plan, under which every eligible procedure is offered as a full online service.")]},
        "children": [],
    },
    {
        "slug": "du-an-dau-thau", "kind": DisclosureKind.PROJECTS, "menu": False,
        "vi": {"title": "Dự án, đầu tư, đấu thầu, mua sắm công", "summary": "Danh mục dự án, hạng mục đầu tư, đấu thầu và mua sắm công.",
               "body": [table("Dự án đầu tư công năm 2026", [["Dự án", "Chủ đầu tư", "Tổng mức đầu tư"], ["Nâng cấp Trung tâm dữ liệu tỉnh", "Văn phòng UBND tỉnh", "45 tỷ đồng"], ["Số hóa hồ sơ đất đai", "Sở Nông nghiệp và Môi trường", "120 tỷ đồng"]])]},
        "en": {"title": "Projects, investment and procurement", "summary": "Projects, investment items, tenders and public procurement.",
               "body": [table("Public investment projects 2026", [["Project", "Investor", "Total investment"], ["Upgrade of the provincial data centre", "Office of the Provincial People's Committee", "VND 45 billion"], ["Digitisation of land records", "Department of Agriculture and Environment", "VND 120 billion"]])]},
        "children": [],
    },
    {
        "slug": "danh-ba-thu-dien-tu", "kind": DisclosureKind.EMAILS, "menu": False,
        "vi": {"title": "Danh bạ thư điện tử", "summary": "Địa chỉ thư điện tử chính thức của các đơn vị và cán bộ có thẩm quyền.",
               "body": [table("Thư điện tử công vụ", [["Đơn vị", "Thư điện tử"], ["Văn phòng UBND tỉnh", "vpubnd@daklak.gov.vn"], ["Trung tâm Phục vụ hành chính công", "tthcc@daklak.gov.vn"], ["Sở Tư pháp", "stp@daklak.gov.vn"], ["Sở Xây dựng", "sxd@daklak.gov.vn"]])]},
        "en": {"title": "Official email addresses", "summary": "Official email addresses of units and competent officials.",
               "body": [table("Official email", [["Unit", "Email"], ["Office of the Provincial People's Committee", "vpubnd@daklak.gov.vn"], ["Public Administration Service Centre", "tthcc@daklak.gov.vn"], ["Department of Justice", "stp@daklak.gov.vn"], ["Department of Construction", "sxd@daklak.gov.vn"]])]},
        "children": [],
    },
    {
        "slug": "lay-y-kien-du-thao", "kind": DisclosureKind.CONSULTATION, "menu": False,
        "vi": {"title": "Lấy ý kiến dự thảo văn bản", "summary": "Dự thảo văn bản đang lấy ý kiến góp ý của nhân dân.",
               "body": [p("Dự thảo Quyết định quy định mức thu phí thẩm định cấp giấy phép xây dựng trên địa bàn tỉnh. Thời hạn góp ý: đến hết ngày 15/12/2026. Ý kiến gửi về sxd@daklak.gov.vn.")]},
        "en": {"title": "Public consultation on drafts", "summary": "Drafts open for public comment.",
               "body": [p("Draft decision on the fee for assessing building-permit applications in the province. Comments until 15 December 2026, to sxd@daklak.gov.vn.")]},
        "children": [],
    },
    {
        "slug": "chuong-trinh-de-tai-khoa-hoc", "kind": DisclosureKind.SCIENCE, "menu": False,
        "vi": {"title": "Chương trình, đề tài khoa học", "summary": "Các chương trình, đề tài khoa học cấp tỉnh.",
               "body": [ul("Ứng dụng trí tuệ nhân tạo hỗ trợ tra cứu thủ tục hành chính (2025–2026).", "Nghiên cứu giống cà phê chịu hạn cho vùng Tây Nguyên (2024–2027).")]},
        "en": {"title": "Science programmes and projects", "summary": "Provincial science programmes and projects.",
               "body": [ul("Artificial intelligence to help citizens find procedures (2025–2026).", "Drought-tolerant coffee varieties for the Central Highlands (2024–2027).")]},
        "children": [],
    },
]

NEWS_INDEX = {
    "slug": "tin-tuc",
    "vi": {"title": "Tin tức, sự kiện", "intro": "<p>Tin hoạt động về cải cách hành chính và dịch vụ công trên địa bàn tỉnh.</p>"},
    "en": {"title": "News and events", "intro": "<p>News about administrative reform and public services in the province.</p>"},
}

NEWS = [
    {
        "slug": "tiep-nhan-ho-so-khong-phu-thuoc-dia-gioi",
        "date": "2026-11-16",
        "vi": {"title": "Tiếp nhận hồ sơ không phụ thuộc địa giới hành chính trong toàn tỉnh",
               "summary": "Người dân có thể nộp hồ sơ tại bất kỳ bộ phận một cửa nào trong tỉnh.",
               "body": [p("Từ ngày 01/11/2026, Trung tâm Phục vụ hành chính công tỉnh và bộ phận một cửa của 102 xã, phường tiếp nhận hồ sơ của người dân, doanh nghiệp không phụ thuộc nơi cư trú đối với 250 thủ tục hành chính.")]},
        "en": {"title": "Dossiers accepted anywhere in the province",
               "summary": "Citizens may apply at any one-stop desk in the province.",
               "body": [p("From 1 November 2026 the provincial service centre and the one-stop desks of 102 communes and wards accept dossiers for 250 procedures whatever the applicant's address.")]},
    },
    {
        "slug": "thanh-toan-truc-tuyen-le-phi",
        "date": "2026-10-28",
        "vi": {"title": "Chuẩn bị thanh toán trực tuyến phí, lệ phí thủ tục hành chính",
               "summary": "Chức năng thanh toán phí, lệ phí trực tuyến đang được xây dựng.",
               "body": [p("Cổng dịch vụ công tỉnh đang xây dựng chức năng thanh toán phí, lệ phí bằng ứng dụng ngân hàng, ví điện tử hoặc thẻ khi nộp hồ sơ trực tuyến. Cho đến khi chức năng này hoạt động, Cổng chưa nhận thanh toán: phí, lệ phí được nộp tại bộ phận một cửa theo hướng dẫn trên trang thủ tục.")]},
        "en": {"title": "Online payment of fees in preparation",
               "summary": "Paying procedure fees online is being built.",
               "body": [p("The portal is building online payment of fees by banking app, e-wallet or card when you apply online. Until it works the portal takes no payments: fees are paid at the one-stop desk as the procedure's page explains.")]},
    },
    {
        "slug": "lien-thong-khai-sinh-bhyt",
        "date": "2026-09-10",
        "vi": {"title": "Liên thông đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ dưới 6 tuổi",
               "summary": "Một lần nộp hồ sơ, nhận ba kết quả.",
               "body": [p("Cha mẹ chỉ cần khai một hồ sơ điện tử trên Cổng dịch vụ công để được đăng ký khai sinh, đăng ký thường trú và cấp thẻ bảo hiểm y tế cho trẻ.")]},
        "en": {"title": "One application for a child's birth registration, residence and health insurance card",
               "summary": "Apply once, receive three results.",
               "body": [p("Parents fill in a single online dossier to register a child's birth and permanent residence and obtain the child's health insurance card.")]},
    },
    {
        "slug": "ket-qua-chi-so-phuc-vu",
        "date": "2026-07-05",
        "vi": {"title": "Chỉ số phục vụ người dân, doanh nghiệp được công bố trên Cổng",
               "summary": "Tỷ lệ hồ sơ giải quyết đúng hạn và tỷ lệ hồ sơ nộp trực tuyến, tính từ hồ sơ Cổng đã tiếp nhận.",
               "body": [p("Cổng dịch vụ công tỉnh công bố số hồ sơ đã tiếp nhận, đã giải quyết đúng hạn, trước hạn và quá hạn, tỷ lệ hồ sơ giải quyết đúng hoặc trước hạn và tỷ lệ hồ sơ nộp trực tuyến, theo tháng, quý, năm, cơ quan và lĩnh vực. Các số liệu được tính từ chính hồ sơ Cổng đã tiếp nhận và cập nhật khi hồ sơ thay đổi.",
                          'Xem số liệu hiện hành tại trang <a href="/statistics/">Thống kê</a>.')]},
        "en": {"title": "Service index to be published on the portal",
               "summary": "The share of dossiers completed on time and the share submitted online, computed from the portal's dossiers.",
               "body": [p("The portal publishes how many dossiers it received and how many were completed early, on time or late, the share completed on time or early and the share submitted online, by month, quarter, year, agency and field. The figures are computed from the dossiers the portal received and follow them as they change.",
                          'See the current figures on the <a href="/en/statistics/">statistics page</a>.')]},
    },
]
