"""The OGP members of the sample dataset: real names, codes, regions and the year of each first plan."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

AFRICA = "Africa and the Middle East"
AMERICAS = "Americas"
ASIA = "Asia and the Pacific"
EUROPE = "Europe"


@dataclass(frozen=True)
class SampleMember:
    """One member: OGP code, name, commitment-id prefix, type, region, years and status."""

    code: str
    name: str
    prefix: str
    member_type: str
    region: str
    joined_year: int
    first_plan_year: int
    status: str = "Active"
    # Inactive members stop submitting plans after this year.
    last_plan_year: int | None = None

    @property
    def slug(self) -> str:
        """The member's path on opengovpartnership.org ('Buenos Aires, Argentina' -> 'buenos-aires-argentina')."""
        text = unicodedata.normalize("NFKD", self.name).encode("ascii", "ignore").decode().lower()
        return "-".join(re.sub(r"[^a-z0-9 -]", "", text).split())


def _national(code, name, prefix, region, joined, first, status="Active", last=None) -> SampleMember:
    return SampleMember(code, name, prefix, "National", region, joined, first, status, last)


def _local(code, name, prefix, region, joined, first) -> SampleMember:
    return SampleMember(code, name, prefix, "Legacy Local", region, joined, first)


NATIONAL_MEMBERS: tuple[SampleMember, ...] = (
    # The eight founding governments (20 September 2011).
    _national("BRA", "Brazil", "BR", AMERICAS, 2011, 2011),
    _national("IDN", "Indonesia", "ID", ASIA, 2011, 2011),
    _national("MEX", "Mexico", "MX", AMERICAS, 2011, 2011),
    _national("NOR", "Norway", "NO", EUROPE, 2011, 2011),
    _national("PHL", "Philippines", "PH", ASIA, 2011, 2011),
    _national("ZAF", "South Africa", "ZA", AFRICA, 2011, 2011),
    _national("GBR", "United Kingdom", "UK", EUROPE, 2011, 2011),
    _national("USA", "United States", "US", AMERICAS, 2011, 2011),
    # Joined 2011-2012, first plans in 2012-2014.
    _national("ALB", "Albania", "AL", EUROPE, 2011, 2012),
    _national("ARM", "Armenia", "AM", EUROPE, 2011, 2012),
    _national("AZE", "Azerbaijan", "AZ", EUROPE, 2011, 2012, "Inactive", 2016),
    _national("BGR", "Bulgaria", "BG", EUROPE, 2011, 2012),
    _national("CAN", "Canada", "CA", AMERICAS, 2011, 2012),
    _national("CHL", "Chile", "CL", AMERICAS, 2011, 2012),
    _national("COL", "Colombia", "CO", AMERICAS, 2011, 2012),
    _national("HRV", "Croatia", "HR", EUROPE, 2011, 2012),
    _national("CZE", "Czech Republic", "CZ", EUROPE, 2011, 2012),
    _national("DNK", "Denmark", "DK", EUROPE, 2011, 2012),
    _national("DOM", "Dominican Republic", "DO", AMERICAS, 2011, 2012),
    _national("SLV", "El Salvador", "SV", AMERICAS, 2011, 2012),
    _national("EST", "Estonia", "EE", EUROPE, 2011, 2012),
    _national("GEO", "Georgia", "GE", EUROPE, 2011, 2012),
    _national("GHA", "Ghana", "GH", AFRICA, 2011, 2013),
    _national("GRC", "Greece", "GR", EUROPE, 2011, 2012),
    _national("GTM", "Guatemala", "GT", AMERICAS, 2011, 2012),
    _national("HND", "Honduras", "HN", AMERICAS, 2011, 2012),
    _national("ISR", "Israel", "IL", EUROPE, 2011, 2012),
    _national("ITA", "Italy", "IT", EUROPE, 2011, 2012),
    _national("JOR", "Jordan", "JO", AFRICA, 2011, 2012),
    _national("KEN", "Kenya", "KE", AFRICA, 2011, 2012),
    _national("KOR", "Republic of Korea", "KR", ASIA, 2011, 2012),
    _national("LVA", "Latvia", "LV", EUROPE, 2011, 2012),
    _national("LBR", "Liberia", "LR", AFRICA, 2011, 2013),
    _national("LTU", "Lithuania", "LT", EUROPE, 2011, 2012),
    _national("MKD", "North Macedonia", "MK", EUROPE, 2011, 2012),
    _national("MLT", "Malta", "MT", EUROPE, 2011, 2012),
    _national("MDA", "Moldova", "MD", EUROPE, 2011, 2012),
    _national("MNE", "Montenegro", "ME", EUROPE, 2011, 2012),
    _national("NLD", "Netherlands", "NL", EUROPE, 2011, 2013),
    _national("PRY", "Paraguay", "PY", AMERICAS, 2011, 2012),
    _national("PER", "Peru", "PE", AMERICAS, 2011, 2012),
    _national("ROU", "Romania", "RO", EUROPE, 2011, 2012),
    _national("SVK", "Slovakia", "SK", EUROPE, 2011, 2012),
    _national("ESP", "Spain", "ES", EUROPE, 2011, 2012),
    _national("SWE", "Sweden", "SE", EUROPE, 2011, 2012),
    _national("UKR", "Ukraine", "UA", EUROPE, 2011, 2012),
    _national("URY", "Uruguay", "UY", AMERICAS, 2011, 2012),
    _national("ARG", "Argentina", "AR", AMERICAS, 2012, 2013),
    _national("CRI", "Costa Rica", "CR", AMERICAS, 2012, 2013),
    _national("FIN", "Finland", "FI", EUROPE, 2012, 2013),
    _national("HUN", "Hungary", "HU", EUROPE, 2012, 2013, "Inactive", 2013),
    _national("PAN", "Panama", "PA", AMERICAS, 2012, 2013),
    _national("SRB", "Serbia", "RS", EUROPE, 2012, 2014),
    # Joined 2013-2014.
    _national("AUS", "Australia", "AU", ASIA, 2013, 2016),
    _national("IRL", "Ireland", "IE", EUROPE, 2014, 2014),
    _national("MNG", "Mongolia", "MN", ASIA, 2013, 2014),
    _national("NZL", "New Zealand", "NZ", ASIA, 2013, 2014),
    _national("SLE", "Sierra Leone", "SL", AFRICA, 2013, 2014),
    _national("MWI", "Malawi", "MW", AFRICA, 2013, 2016, "Under Procedural Review"),
    _national("TTO", "Trinidad and Tobago", "TT", AMERICAS, 2014, 2014, "Under Procedural Review"),
    _national("TUN", "Tunisia", "TN", AFRICA, 2014, 2014),
    _national("FRA", "France", "FR", EUROPE, 2014, 2015),
    _national("BIH", "Bosnia and Herzegovina", "BA", EUROPE, 2014, 2019, "Under Procedural Review"),
    # Joined 2015 and later.
    _national("CIV", "Côte d'Ivoire", "CI", AFRICA, 2015, 2016),
    _national("LKA", "Sri Lanka", "LK", ASIA, 2015, 2016),
    _national("PNG", "Papua New Guinea", "PG", ASIA, 2015, 2018),
    _national("DEU", "Germany", "DE", EUROPE, 2016, 2017),
    _national("NGA", "Nigeria", "NG", AFRICA, 2016, 2017),
    _national("BFA", "Burkina Faso", "BF", AFRICA, 2016, 2017),
    _national("LUX", "Luxembourg", "LU", EUROPE, 2016, 2019),
    _national("JAM", "Jamaica", "JM", AMERICAS, 2016, 2021),
    _national("CPV", "Cabo Verde", "CV", AFRICA, 2016, 2018),
    _national("PRT", "Portugal", "PT", EUROPE, 2017, 2018),
    _national("KGZ", "Kyrgyz Republic", "KG", ASIA, 2017, 2019),
    _national("MAR", "Morocco", "MA", AFRICA, 2018, 2018),
    _national("SEN", "Senegal", "SN", AFRICA, 2018, 2021),
    _national("SYC", "Seychelles", "SC", AFRICA, 2018, 2019),
    _national("ECU", "Ecuador", "EC", AMERICAS, 2018, 2019),
)

OTHER_MEMBERS: tuple[SampleMember, ...] = (SampleMember("XKX", "Kosovo", "XK", "Other", EUROPE, 2016, 2016),)

LOCAL_MEMBERS: tuple[SampleMember, ...] = (
    # The 15 OGP Local pioneers of 2016.
    _local("USAU", "Austin, United States", "AUS", AMERICAS, 2016, 2017),
    _local("IDBJ", "Bojonegoro, Indonesia", "BOJ", ASIA, 2016, 2017),
    _local("ARBA", "Buenos Aires, Argentina", "BUE", AMERICAS, 2016, 2017),
    _local("KEEM", "Elgeyo Marakwet, Kenya", "ELG", AFRICA, 2016, 2017),
    _local("MXJL", "Jalisco, Mexico", "JAL", AMERICAS, 2016, 2017),
    _local("NGKD", "Kaduna State, Nigeria", "KAD", AFRICA, 2016, 2017),
    _local("PELL", "La Libertad, Peru", "LAL", AMERICAS, 2016, 2017),
    _local("ESMD", "Madrid, Spain", "MAD", EUROPE, 2016, 2017),
    _local("CAON", "Ontario, Canada", "ONT", AMERICAS, 2016, 2017),
    _local("FRPA", "Paris, France", "PAR", EUROPE, 2016, 2017),
    _local("GBSC", "Scotland, United Kingdom", "SCO", EUROPE, 2016, 2017),
    _local("KRSE", "Seoul, Republic of Korea", "SEO", ASIA, 2016, 2017),
    _local("GHST", "Sekondi-Takoradi, Ghana", "SEK", AFRICA, 2016, 2017),
    _local("BRSP", "São Paulo, Brazil", "SAO", AMERICAS, 2016, 2017),
    _local("GETB", "Tbilisi, Georgia", "TBI", EUROPE, 2016, 2017),
    # Joined with the 2018 and 2020 expansions of OGP Local.
    _local("ESEU", "Basque Country, Spain", "BAS", EUROPE, 2018, 2018),
    _local("CONA", "Nariño, Colombia", "NAR", AMERICAS, 2018, 2018),
    _local("PHSC", "South Cotabato, Philippines", "SCT", ASIA, 2018, 2018),
    _local("KEMK", "Makueni, Kenya", "MAK", AFRICA, 2020, 2021),
    _local("ARMZ", "Mendoza, Argentina", "MEN", AMERICAS, 2020, 2021),
)

SAMPLE_MEMBERS: tuple[SampleMember, ...] = NATIONAL_MEMBERS + OTHER_MEMBERS + LOCAL_MEMBERS
