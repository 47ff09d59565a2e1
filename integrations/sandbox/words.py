"""Vocabulary for generated shoppers, stores and products. Plain data, no logic."""

from __future__ import annotations

# fmt: off

FIRST_NAMES = (
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "James", "Isabella",
    "Lucas", "Mia", "Mateo", "Amelia", "Benjamin", "Harper", "Henry", "Evelyn", "Theo",
    "Luna", "Jack", "Camila", "Levi", "Gianna", "Daniel", "Aria", "Michael", "Ella",
    "Ezra", "Nora", "Samuel", "Hazel", "Owen", "Zoey", "Jayden", "Riley", "Carter",
    "Violet", "Wyatt", "Aurora", "Julian", "Maya", "Grayson", "Naomi", "Leo", "Priya",
    "Diego", "Mei", "Kwame", "Fatima", "Andrei", "Sione", "Ananya", "Tomás", "Chloé",
    "Dmitri", "Keanu", "Rosa", "Hiroshi", "Aisha", "Marcus",
)

LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson",
    "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson",
    "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker",
    "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
    "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell",
    "O'Brien", "Nakamura", "Okafor", "Kowalski", "Van der Berg", "Singh", "Haddad",
    "St. Pierre", "Ivanova", "Mendoza", "Fitzgerald", "Park",
)

EMAIL_DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "hotmail.com",
                 "proton.me", "comcast.net")

STREET_NAMES = ("Main St", "Oak Ave", "Pine St", "Maple Dr", "Cedar Ln", "Elm St",
                "Lakeview Rd", "2nd Ave", "Sunset Blvd", "Hillcrest Dr", "River Rd",
                "Park Pl", "Washington St", "Madison Ave", "Cherry Ln", "Highland Ave")

# Two neighbouring markets per account: (code, name, country, [(city, postal prefix)], area codes).
# An account's stores take the first cities of each (places.py).
MARKETS = {
    "WA": ("Washington", "US", (("Seattle", "981"), ("Spokane Valley", "992"), ("Tacoma", "984"),
                               ("Bellingham", "982")), ("206", "253", "360", "425", "509")),
    "OR": ("Oregon", "US", (("Portland", "972"), ("Eugene", "974"), ("Salem", "973"),
                           ("Bend", "977")), ("503", "541", "971")),
    "CO": ("Colorado", "US", (("Denver", "802"), ("Boulder", "803"),
                             ("Colorado Springs", "809")), ("303", "719", "720", "970")),
    "NM": ("New Mexico", "US", (("Albuquerque", "871"), ("Santa Fe", "875"),
                               ("Las Cruces", "880")), ("505", "575")),
    "MI": ("Michigan", "US", (("Detroit", "482"), ("Ann Arbor", "481"),
                             ("Grand Rapids", "495")), ("313", "616", "734", "248")),
    "IL": ("Illinois", "US", (("Chicago", "606"), ("Springfield", "627"),
                             ("Peoria", "616")), ("312", "773", "217", "309")),
    "ON": ("Ontario", "CA", (("Toronto", "M5V"), ("Ottawa", "K1P"), ("Hamilton", "L8P")),
           ("416", "613", "905", "647")),
    "AB": ("Alberta", "CA", (("Calgary", "T2P"), ("Edmonton", "T5J"), ("Red Deer", "T4N")),
           ("403", "780", "587")),
}
MARKET_PAIRS = (("WA", "OR"), ("CO", "NM"), ("MI", "IL"), ("ON", "AB"))

STORE_NAMES = ("Green Leaf", "High Tide", "Cloud Nine", "Evergreen", "Canopy", "Northern Lights",
               "Sweet Leaf", "Blue Heron", "Kind Remedies", "Riverbend")

EMPLOYEES = ("Jordan P.", "Casey R.", "Alex M.", "Sam T.", "Taylor K.", "Morgan D.")

BRANDS = ("Phat Panda", "Dragonfly", "Sweet Water", "Northern Harvest", "Agro Couture",
          "Wyld", "Kiva", "Raw Garden", "Stiiizy", "Good Tide", "Evergreen Organix")

STRAINS = (("Blue Dream", "Hybrid"), ("Gelato", "Hybrid"), ("Sour Diesel", "Sativa"),
           ("Granddaddy Purple", "Indica"), ("Jack Herer", "Sativa"), ("Wedding Cake", "Indica"),
           ("Durban Poison", "Sativa"), ("Northern Lights", "Indica"), ("GSC", "Hybrid"),
           ("Pineapple Express", "Hybrid"), ("Zkittlez", "Indica"), ("Green Crack", "Sativa"))

# (category, unit label, grams, price range in cents, is cannabis)
FORMS = (
    ("Flower", "3.5g", "3.5", (2500, 5500), True),
    ("Flower", "1g", "1", (900, 1800), True),
    ("Pre-Rolls", "1g", "1", (700, 1500), True),
    ("Vapes", "0.5g", "0.5", (2500, 4500), True),
    ("Concentrates", "1g", "1", (3000, 7000), True),
    ("Edibles", "100mg", "0", (1500, 3000), True),
    ("Topicals", "2oz", "0", (2000, 4000), True),
    ("Accessories", "each", "0", (300, 2500), False),
)

# Lab values reported as number specifications (the supported list of AIQ Ecommerce).
TERPENES = ("Limonene", "Beta Myrcene", "Beta Caryophyllene", "Linalool", "Alpha Pinene",
            "Humulene", "Terpinolene", "Ocimene")
CANNABINOIDS = ("THCa", "CBDa", "CBN", "CBG")

PAYMENT_METHODS = (("Cash", 45), ("Debit Card", 33), ("Credit Card", 9), ("POSaBIT Pay", 8),
                   ("", 5))

REWARDS = (("$5 off", 50, "Amount", 5), ("$10 off", 100, "Amount", 10),
           ("15% off", 200, "Percentage", 15), ("$40 off", 400, "Amount", 40))

PRICING_GROUPS = ((1, "Regular"), (2, "Medical"), (3, "Senior"), (4, "Staff"))
# fmt: on
