"""Word lists and sentence templates for the dedup benchmark's article generator.

A template is a string with ``{slot}`` references; a slot is either a rule below (a ``|``
separated list of alternatives, themselves templates), a number maker in ``corpus.py``, or a
fact of the story being written (its people, organisations, place, topic). Templates keep
their fixed runs of words short and put a slot every few words, so that two unrelated
articles share few word 5-grams while articles about the same story share names and phrases.
"""

from __future__ import annotations


def _split(text: str, sep: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(sep))


FIRST_NAMES = _split(
    "Amara Anders Anaïs Beatriz Björn Camille Chiara Dariusz Dmitri Elif Emeka Esther Farah Fatima "
    "Felipe Gareth Grace Hannah Hiroshi Ines Ingrid Isaac Jakub Jamal Javier Jean-Luc Joanna José "
    "Julien Kaito Karin Kofi Lars Leila Lena Lucía Magnus Małgorzata Marcus Mariam Mateo Mei Miguel "
    "Mira Nadia Naledi Nikolai Noor Olga Omar Oskar Pablo Priya Rafael Rania Rashid Renée Rosa Ruth "
    "Samir Sandra Sergio Siobhan Søren Sunita Tariq Tomás Ulrike Valentina Viktor Wanjiru Yara Yusuf "
    "Zainab Zoë Adrian Alice Andrew Bernard Caroline Catherine Daniel David Deborah Edward Eleanor "
    "Frances George Harriet Helen Henry James Jennifer Jonathan Katherine Laura Margaret Martin "
    "Matthew Michael Nicholas Patricia Paul Peter Rachel Richard Robert Sarah Simon Stephen Susan "
    "Thomas Victoria William Agnieszka Aurelio Benedikt Cecilia Desmond Eamon Fionnuala Gustavo "
    "Halima Idris Jovana Kwame Ludmila Mohammed Niamh Orla Piotr Quentin Radu Saoirse Teodor Uma"
)

LAST_NAMES = _split(
    "Abara Achterberg Adeyemi Alvarez Andersson Asante Bakshi Balogun Banerjee Barros Bauer Bellamy "
    "Bergström Bianchi Blackwood Boateng Brennan Calloway Carvalho Castellano Chakraborty Chen Cormac "
    "Costa Dahl Delacroix Demir Desai Dubois Dunmore Ekwueme Eriksen Esposito Farouk Fernández "
    "Fitzgerald Fontaine Gallagher García Gashi Greenaway Grünewald Haddad Halloran Hartmann Hayashi "
    "Holmberg Horvath Ibrahim Ivanova Jablonski Jansen Jiménez Kamara Kaplan Kariuki Kassab Kowalczyk "
    "Krüger Lacroix Lindqvist Llewellyn MacAllister Mahlangu Marchetti Mensah Mendoza Moreau Morrissey "
    "Mukherjee Nakamura Navarro Nguyen Novak Nyberg O'Brien O'Connell Okafor Okonkwo Olawale Ortega "
    "Osei Pacheco Pappas Pereira Petrov Popescu Quiroga Rahman Rasmussen Reyes Richter Rossi Saarinen "
    "Salazar Santos Schneider Sharma Silva Sokolov Soto Stavros Strand Sutherland Takahashi Tanaka "
    "Thorne Toivonen Uddin Valdés Verbeek Vasquez Villanueva Vogel Wainwright Weiss Whitlock "
    "Wojcik Yamamoto Yilmaz Zielinski Zimmermann Aldridge Ashworth Beaumont Cartwright Drummond "
    "Ellington Faulkner Goodwin Hargreaves Ingram Kershaw Lockhart Merriweather Northcott Pemberton "
    "Radcliffe Stanhope Templeton Underwood Whitaker"
)

PLACE_HEADS = _split(
    "Ash Bel Black Bram Brook Carr Cold Corn Dun East Elm Fair Fern Glen Gold Green Hart Hazel "
    "High Holm Iron Kings Lang Lark Long Marsh Mill Moss North Oak Pen Red Rose Salt Sand Stan "
    "Stone Thorn West Whit Wick Wolver Ys Alder Bay Cran Drake Fox"
)

PLACE_TAILS = _split(
    "ford bury haven field mouth wick ton borough dale mere port stead minster gate bridge moor "
    "hurst leigh combe cliffe worth ley thorpe by holme"
)

REAL_PLACES = _split(
    "Lisbon|Kraków|Gdańsk|Malmö|Zürich|São Paulo|Bogotá|Nairobi|Accra|Lagos|Kampala|Hanoi|Osaka|"
    "Busan|Tallinn|Vilnius|Riga|Porto|Seville|Valencia|Lyon|Toulouse|Bordeaux|Antwerp|Rotterdam|"
    "Utrecht|Leipzig|Dresden|Graz|Salzburg|Brno|Košice|Cluj-Napoca|Thessaloniki|Izmir|Tbilisi|"
    "Yerevan|Almaty|Durban|Windhoek|Montevideo|Quito|Córdoba|Valparaíso|Halifax|Winnipeg|Adelaide|"
    "Hobart|Dunedin|Cork|Galway|Aberdeen|Swansea|Belfast|Tromsø|Bergen|Aarhus|Turku|Tampere",
    "|",
)

REGIONS = _split(
    "the north-east|the coastal districts|the southern valleys|the capital region|the border "
    "provinces|the western highlands|the lake district|the river delta|the industrial belt|the "
    "eastern plains|the island communities|the mountain towns|the former mining region|the "
    "commuter belt|the wine country|the northern fjords",
    "|",
)

COUNTRIES = _split(
    "Portugal|Poland|Sweden|Switzerland|Brazil|Colombia|Kenya|Ghana|Nigeria|Uganda|Vietnam|Japan|"
    "South Korea|Estonia|Lithuania|Latvia|Spain|France|Belgium|the Netherlands|Germany|Austria|"
    "the Czech Republic|Slovakia|Romania|Greece|Turkey|Georgia|Armenia|Kazakhstan|South Africa|"
    "Namibia|Uruguay|Ecuador|Argentina|Chile|Canada|Australia|New Zealand|Ireland|Scotland|Wales|"
    "Norway|Denmark|Finland",
    "|",
)

PAPER_WORDS = _split(
    "Courier Ledger Gazette Herald Post Chronicle Observer Tribune Star Times Echo Mercury Sentinel "
    "Record Journal Dispatch Advertiser Examiner Argus Bulletin Standard Clarion Beacon Express"
)

AGENCIES = _split("Reuters|AP|AFP|PA Media|dpa|ANSA|EFE|Kyodo|Bloomberg|Press Association", "|")

# A topic: the things a story is about, what goes wrong with them, who speaks, who is affected,
# what kind of organisations are involved and what such an organisation does.
TOPICS: dict[str, dict[str, str]] = {
    "transport": {
        "thing": "rail line|bus network|ring road|tram extension|airport expansion|bridge repair "
        "programme|ferry service|cycle lane scheme|rolling stock order|signalling upgrade|toll plan|"
        "freight terminal|night bus pilot|high-speed link|station redevelopment|harbour tunnel",
        "issue": "delays|fare rises|safety inspections|overcrowding|cancelled services|a maintenance "
        "backlog|driver shortages|cost overruns|signal failures|a ticketing outage|late deliveries",
        "role": "transport minister|head of the rail operator|transport commissioner|chief engineer|"
        "director of operations|chair of the passengers' forum",
        "orgtype": "Rail|Transit Authority|Bus Company|Airport Group|Motorists' Association|Ports "
        "Board|Rail Freight Alliance|Passenger Watch",
        "group": "commuters|hauliers|bus drivers|cyclists|season ticket holders|taxi operators|"
        "residents near the route|airline crews",
        "act": "reroute|electrify|widen|reopen|close|modernise|reprice|retender",
    },
    "energy": {
        "thing": "wind farm|gas pipeline|grid connection|nuclear refit|solar array|price cap|"
        "battery storage site|heat pump subsidy|coal plant closure|hydrogen pilot|substation|"
        "offshore licence round|district heating network|tidal barrage",
        "issue": "blackouts|rising bills|grid congestion|supply shortfalls|turbine faults|windfall "
        "profits|metering errors|planning objections|fuel poverty|export limits",
        "role": "energy minister|chief executive of the grid operator|head of the energy regulator|"
        "director of the utility|chief economist|plant manager",
        "orgtype": "Energy|Power|Grid|Utilities|Renewables|Gas Networks|Energy Regulator|Hydro",
        "group": "households|energy-intensive manufacturers|small suppliers|tenants on prepayment "
        "meters|farmers hosting turbines|offshore workers",
        "act": "decommission|connect|subsidise|refurbish|mothball|auction|license|retrofit",
    },
    "health": {
        "thing": "cancer screening programme|maternity unit|vaccine rollout|emergency department|"
        "mental health service|hospital merger|GP contract|drug pricing deal|dental scheme|ambulance "
        "dispatch system|elective surgery backlog|children's ward|hospice funding round",
        "issue": "waiting lists|staff shortages|bed closures|missed targets|data breaches|agency "
        "spending|rising admissions|prescription errors|a measles outbreak|long handover times",
        "role": "health minister|medical director|chief nurse|head of the patients' association|"
        "consultant surgeon|public health director",
        "orgtype": "Health Trust|Hospital|Medical Council|Clinical Commission|Pharmaceuticals|"
        "Nursing Union|Patients' Association|Ambulance Service",
        "group": "patients|junior doctors|nurses|pharmacists|carers|paramedics|midwives|families of patients",
        "act": "expand|relocate|close|merge|audit|downgrade|fund|staff",
    },
    "housing": {
        "thing": "housing estate|rent cap|social housing programme|tower block refurbishment|"
        "planning reform|mortgage guarantee|student accommodation scheme|empty homes levy|"
        "regeneration plan|cladding remediation fund|modular homes factory|tenancy reform",
        "issue": "evictions|damp and mould|rising rents|planning delays|unsold flats|repossessions|"
        "overcrowding|homelessness|land banking|fire safety failings",
        "role": "housing minister|head of planning|chief executive of the housing association|"
        "tenants' union organiser|council leader|chief surveyor",
        "orgtype": "Homes|Housing Association|Property Group|Developments|Tenants' Union|Building "
        "Society|Estates|Planning Inspectorate",
        "group": "tenants|first-time buyers|landlords|leaseholders|housebuilders|families on "
        "waiting lists|students",
        "act": "demolish|rebuild|approve|refurbish|sell off|rezone|inspect|buy back",
    },
    "courts": {
        "thing": "fraud trial|appeal hearing|judicial review|extradition case|inquest|class action|"
        "sentencing hearing|corruption inquiry|libel case|tribunal ruling|plea deal|retrial",
        "issue": "court backlogs|legal aid cuts|missing evidence|jury intimidation|procedural "
        "errors|delays in disclosure|contempt allegations|witness protection failures",
        "role": "lead prosecutor|defence barrister|presiding judge|attorney general|court "
        "spokeswoman|chief inspector of prisons",
        "orgtype": "Crown Prosecution|Bar Council|Legal Aid Board|Court Service|Law Society|Prisons "
        "Inspectorate|Appeals Tribunal|Ombudsman",
        "group": "defendants|victims' families|jurors|solicitors|probation officers|witnesses|claimants",
        "act": "overturn|adjourn|dismiss|uphold|refer|reopen|settle|appeal",
    },
    "education": {
        "thing": "school funding formula|exam reform|free meals scheme|university merger|tuition "
        "fee freeze|teacher pay deal|apprenticeship levy|school rebuilding programme|curriculum "
        "review|nursery places scheme|student loan change|special needs funding",
        "issue": "falling rolls|teacher vacancies|crumbling classrooms|grade inflation|exclusions|"
        "absence rates|budget deficits|marking errors|admissions disputes",
        "role": "education secretary|head teacher|vice-chancellor|chief inspector of schools|"
        "teachers' union general secretary|director of children's services",
        "orgtype": "Academy Trust|University|Schools Board|Teachers' Union|Exams Agency|College|"
        "Education Authority|Skills Council",
        "group": "pupils|parents|teaching assistants|university staff|school governors|"
        "international students|apprentices",
        "act": "reopen|merge|inspect|fund|close|expand|regrade|restructure",
    },
    "technology": {
        "thing": "data centre|chip plant|broadband rollout|app store rules|cloud contract|satellite "
        "launch|AI model|payment platform|5G auction|cybersecurity law|ride-hailing app|smart meter "
        "platform|online safety code",
        "issue": "outages|a ransomware attack|privacy complaints|content moderation failures|chip "
        "shortages|layoffs|antitrust concerns|data leaks|price hikes|software bugs",
        "role": "chief technology officer|digital minister|head of the data protection authority|"
        "founder|chief information security officer|product director",
        "orgtype": "Technologies|Digital|Networks|Systems|Data Protection Authority|Labs|Telecom|"
        "Semiconductors",
        "group": "users|developers|content moderators|small businesses|gig workers|subscribers|app makers",
        "act": "launch|patch|acquire|shut down|relaunch|audit|migrate|license",
    },
    "environment": {
        "thing": "flood defence scheme|river clean-up|air quality zone|rewilding project|plastic "
        "ban|wetland restoration|deposit return scheme|emissions target|peat bog protection|"
        "sewage overflow plan|forest replanting programme|marine reserve",
        "issue": "sewage spills|drought|wildfires|illegal dumping|algal blooms|species decline|"
        "coastal erosion|pollution fines|heatwaves|landslides",
        "role": "environment minister|chief scientist|head of the environment agency|campaign "
        "director|river warden|climate adviser",
        "orgtype": "Environment Agency|Water|Wildlife Trust|Conservation Board|Climate Council|"
        "Rivers Trust|Waste Authority|Forestry Commission",
        "group": "anglers|farmers|coastal residents|wild swimmers|volunteers|fishing crews|beekeepers",
        "act": "restore|protect|monitor|fine|dredge|replant|fence off|clean up",
    },
    "business": {
        "thing": "takeover bid|share buyback|factory closure|merger|bond issue|profit warning|"
        "restructuring plan|dividend cut|supermarket expansion|bank branch closures|pension deficit|"
        "export deal|stock market listing",
        "issue": "falling sales|rising costs|job cuts|supply chain disruption|weak demand|currency "
        "swings|shareholder revolt|accounting irregularities|credit downgrades",
        "role": "chief executive|finance director|chair of the board|chief economist|head of "
        "investor relations|managing partner",
        "orgtype": "Holdings|Group|Bank|Industries|Retail|Capital|Partners|Manufacturing",
        "group": "shareholders|suppliers|staff|customers|pensioners|franchise owners|creditors",
        "act": "sell|spin off|list|restructure|acquire|refinance|wind down|split",
    },
    "sport": {
        "thing": "stadium redevelopment|broadcast rights deal|transfer ban|league restructuring|"
        "doping investigation|ticket allocation|youth academy|club takeover|salary cap|"
        "championship bid|training ground move|women's league launch",
        "issue": "crowd trouble|injuries|financial losses|relegation fears|disciplinary charges|"
        "ticket touting|safety certificate problems|falling attendances",
        "role": "head coach|club chairman|team captain|league chief executive|sporting director|"
        "federation president",
        "orgtype": "Football Club|Athletic|Rugby Union|Sports Federation|Rovers|United|Cricket "
        "Board|Olympic Committee",
        "group": "supporters|season ticket holders|academy players|match officials|stewards|local "
        "clubs|sponsors",
        "act": "rebuild|sell|sanction|relocate|bid for|suspend|reinstate|expand",
    },
    "agriculture": {
        "thing": "farm subsidy scheme|grain export deal|dairy price agreement|livestock movement "
        "ban|irrigation project|fertiliser levy|organic certification rule|seed bank|pesticide "
        "ban|land use framework|fishing quota",
        "issue": "crop failures|bird flu|falling milk prices|labour shortages|soil erosion|export "
        "bans|animal welfare breaches|flooded fields|feed costs",
        "role": "agriculture minister|president of the farmers' union|chief veterinary officer|"
        "head of the grain board|agronomist|cooperative chairman",
        "orgtype": "Farmers' Union|Grain Board|Dairy Cooperative|Agricultural Council|Seeds|Food "
        "Standards Agency|Growers Association|Fisheries Board",
        "group": "farmers|seasonal workers|smallholders|crofters|dairy producers|fishermen|food processors",
        "act": "subsidise|ban|certify|inspect|cull|irrigate|export|reform",
    },
    "labour": {
        "thing": "pay offer|strike ballot|minimum wage rise|pension reform|four-day week trial|"
        "collective agreement|redundancy programme|workplace safety code|zero-hours ban|"
        "recruitment freeze|overtime rules|apprentice pay deal",
        "issue": "walkouts|staff shortages|pay disputes|unsafe conditions|unpaid overtime|"
        "redundancies|burnout|rising sick leave|agency staffing costs",
        "role": "general secretary of the union|labour minister|head of human resources|"
        "shop steward|employment lawyer|chief negotiator",
        "orgtype": "Workers' Union|Employers' Federation|Trades Council|Labour Inspectorate|"
        "Conciliation Service|Staff Association|Guild|Transport Workers",
        "group": "workers|nurses|dock workers|cleaners|civil servants|warehouse staff|teachers|"
        "delivery riders",
        "act": "ballot|reject|accept|suspend|negotiate|extend|freeze|renegotiate",
    },
}

RULES: dict[str, str] = {
    "weekday": "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday",
    "day": "on {weekday}|on {weekday}|late on {weekday}|early on {weekday}|on {weekday} evening|"
    "on {weekday} morning|this week|last week|at the weekend|on {weekday} afternoon",
    "month": "January|February|March|April|May|June|July|August|September|October|November|December",
    "timeframe": "by the end of the year|within six months|before the summer recess|over the next "
    "decade|as early as next spring|by {month}|within {num_small} weeks|by {year_future}|before "
    "the next election|over the coming winter|by the end of {month}|in the next financial year|"
    "within a fortnight|over {num_small} years",
    "lede_verb": "approved|suspended|scrapped|unveiled|delayed|expanded|announced a review of|cut "
    "funding for|launched an inquiry into|halted work on|signed a contract for|put on hold|voted "
    "to extend|rejected a bid to revive|postponed a decision on|agreed to fund|ordered an audit of|"
    "opened talks on|backed plans for|withdrew support for|fast-tracked|paused|reinstated|"
    "overhauled|blocked|quietly shelved|formally endorsed|tightened rules on",
    "lede_tail": "a move that {move_effect}|ending months of {uncertainty}|despite {opposition}|after "
    "{cause}|in a decision expected to {effect}|according to {source}|citing {reason}|weeks after "
    "{cause}|amid {issue}|as {issue} {worsened}|in the face of {opposition}|with {money} at stake",
    "move_effect": "could affect {num_big} {group}|{surprised} {observers}|drew immediate "
    "criticism from {observers}|is likely to {effect}|leaves {group} facing {issue}|{observers} "
    "said was long overdue|caught {group} off guard|reverses a pledge made in {year}",
    "surprised": "surprised|angered|alarmed|relieved|divided|wrong-footed|disappointed|reassured",
    "observers": "opposition lawmakers|local residents|business leaders|campaigners|analysts|"
    "trade unions|consumer groups|economists|rival firms|council members|{group}|industry "
    "bodies|regional officials|independent auditors",
    "uncertainty": "uncertainty|speculation|wrangling|negotiations|legal argument|consultation|"
    "lobbying|delays|political deadlock|back-room talks",
    "opposition": "opposition from {observers}|objections from {observers}|a legal challenge by "
    "{observers}|protests by {group}|warnings from {observers}|a petition signed by {num_big} "
    "people|resistance within {org2}",
    "cause": "{issue} {worsened}|a damning report by {org2}|a series of {issue}|the collapse of "
    "talks with {org2}|a review found {finding}|complaints from {group}|an internal audit "
    "uncovered {finding}|{observers} raised concerns about {issue}",
    "worsened": "worsened|deepened|spread|intensified|dragged on|mounted|piled up|persisted",
    "finding": "{issue}|a shortfall of {money}|{num_small} serious breaches|missing records|"
    "spending of {money} without approval|a backlog of {num_big} cases|failings in oversight",
    "effect": "reshape {thing_any} across {region}|cost {money}|affect {num_big} {group}|ease "
    "{issue}|create {num_big} jobs|put {num_big} jobs at risk|raise costs for {group}|"
    "set a precedent for {region}|delay the {thing_any} by {num_small} months",
    "source": "documents seen by the {paper}|{num_small} people familiar with the matter|a "
    "statement from {org1}|figures published {day}|a letter sent to {group}|minutes of a "
    "meeting in {place}|an internal memo|officials in {place}",
    "reason": "{issue}|rising costs|legal advice|safety concerns|a lack of demand|pressure "
    "from {observers}|the findings of an independent review|a shortfall of {money}",
    "paper": "{paper_place} {paper_word}|{paper_word}|Daily {paper_word}|{paper_place} {paper_word}",
    "thing_any": "{thing}|{tthing}",
    "a_thing": "the {thing}|the {thing}|a {tthing}|the planned {tthing}|its {tthing}|the "
    "long-delayed {thing}|the {place} {thing}",
    # leads
    "lede": "{org1} {lede_verb} {a_thing} {day}, {lede_tail}.|{p1}, the {p1_role} of {p1_org}, "
    "{lede_verb} {a_thing} {day}, {lede_tail}.|Officials in {place} {lede_verb} {a_thing} "
    "{day} after {cause}.|{The_observers} in {place} reacted {react_adv} {day} after {org1} "
    "{lede_verb} {a_thing}.|The {thing} in {place} will be {passive} {timeframe}, {org1} said "
    "{day}, {lede_tail}.|{org1} and {org2} {lede_verb} {a_thing} {day} in a deal worth "
    "{money}, {lede_tail}.|Plans for {a_thing} in {place} were {passive} {day}, {lede_tail}.",
    "The_observers": "Opposition lawmakers|Residents|Business leaders|Campaigners|Analysts|Union "
    "officials|Consumer groups|Council members|Regional officials|Local traders",
    "react_adv": "angrily|cautiously|with relief|with dismay|with scepticism|sharply|warily|"
    "with measured approval",
    "passive": "scrapped|delayed|expanded|suspended|reviewed|approved|overhauled|put on hold|"
    "fast-tracked|scaled back|redesigned|sold off",
    # detail
    "detail": "{cost_was} {money}, but {estimate_src} {cost_now} {money}.|About {num_big} {group} "
    "{rely_on} the {thing}, {according} {source}.|{follows} {cause}, {which_said} {damaged} "
    "{confidence} in {org1}.|{under_plan} {org1} will {act} {num_small} {sites} in {place} and "
    "{act} {num_small} more {across} {region} {timeframe}.|{org2} said {pct} of {group} {surveyed} "
    "in {place} had {experienced} {issue} {in_period}.|{Figures} {published} by {org2} show "
    "{issue} {rose} {pct} in {region} {in_period}, {against} {pct} nationally.|The {first_phase}, "
    "{covering} {place} and {place2}, is {due} {timeframe}.|{org1} has {set_aside} {money} to "
    "{cover} {issue}, up from {money} {a_year_earlier}.|The {tthing} in {place2} was {passive} "
    "in {year} after {cause}.|{A_spokes} for {org1} {declined} how many {group} {were_affected}, "
    "but said the {thing} would be {passive} {timeframe}.|{Details_of} the {thing} {emerged} in "
    "{source_doc} {circulated} {group} {day}.|{Costs_at} the {tthing} have {risen} {pct} since "
    "{year}, {driven} {issue}.|The {thing} had been {passive} {before_when}.|{org1} {employs} "
    "{num_big} {staff} in {place} and {reported} {result} of "
    "{money} {in_period}.|{contract_np}, worth {money}, {contract_runs} {year_future}"
    "{contract_ext}.|{Inspectors} found {finding} at the {tthing} in {place2} {during} {month}.|"
    "{org1} {expects} the {thing} to {effect}.|{In_place}, the {thing} has been {bg_history}.|The "
    "{tthing} {handles} {num_big} {units} a {period_unit}, {compared_with} {num_big} in {year}.",
    "before_when": "twice before, in {year} and again in {year}|{num_small} times before|once "
    "before, in {year}|before, back in {year}|at least {num_small} times since {year}",
    "cost_was": "The {thing} was originally expected to cost|Initial estimates put the cost of the "
    "{thing} at|The {thing} was budgeted at|When it was approved, the {thing} carried a price of|"
    "Planners once costed the {thing} at|The business case for the {thing} assumed|Ministers "
    "first priced the {thing} at|Early forecasts valued the {thing} at",
    "cost_now": "now puts the figure closer to|now expects a bill of|says the total could reach|"
    "estimates it will cost|suggests the final bill will top|warns it may end up costing|has "
    "revised that to|reckons the true cost is nearer",
    "estimate_src": "an internal estimate|an independent assessment|a report by {org2}|{org3}|"
    "the latest projection|the auditor|a leaked review|{org1}'s own accounts|a study for {org2}",
    "according": "according to|{org1} said, citing|as set out in|based on|going by",
    "follows": "The decision follows|The move comes after|It follows|This comes weeks after|"
    "The announcement follows|That came after|It was prompted by",
    "which_said": "which {observers} said had|which, according to {observers}, had|a finding "
    "{observers} said had|which has|something {observers} say has",
    "confidence": "confidence|trust|faith|public confidence|investor confidence",
    "under_plan": "Under the plan,|Under the proposals,|If approved,|Over time|In the first stage,"
    "|According to the timetable,",
    "sites": "sites|depots|branches|facilities|locations|offices|schemes",
    "across": "across|elsewhere in|throughout|in other parts of",
    "surveyed": "surveyed|polled|questioned|interviewed|asked",
    "experienced": "experienced|seen|faced|reported|suffered",
    "in_period": "in the past year|last year|over the past {num_small} years|since {year}|in "
    "the {period}|during {month}|in {year}",
    "published": "published|released|compiled|collected|issued",
    "rose": "rose by|increased by|climbed|jumped|fell by|dropped",
    "against": "against|compared with|versus|up from|well above",
    "first_phase": "first phase|pilot|initial stage|trial|opening section|first tranche",
    "covering": "covering|serving|linking|spanning|taking in",
    "due": "due to start|expected to begin|set to open|scheduled to finish|meant to launch",
    "set_aside": "set aside|earmarked|put aside|reserved|budgeted",
    "cover": "cover|deal with|address|pay for|tackle",
    "a_year_earlier": "a year earlier|in {year}|last {month}|the previous year",
    "A_spokes": "A spokesperson|A spokeswoman|A spokesman|A press officer|A senior official|Aides",
    "declined": "declined to say|would not say|refused to disclose|could not confirm|did not specify",
    "were_affected": "would be affected|stood to lose out|would need to move|were involved|had "
    "complained|would benefit",
    "Details_of": "Details of|The outline of|Key figures for|Parts of|A costing of",
    "emerged": "emerged|were set out|appeared|were revealed|first surfaced",
    "circulated": "circulated to|sent to|shared with|seen by|distributed among|leaked to",
    "Costs_at": "Costs at|Spending on|Running costs for|Bills at|Outlays on",
    "risen": "risen by|grown by|climbed|jumped|gone up by",
    "driven": "driven largely by|mostly because of|partly reflecting|blamed on|fuelled by",
    "employs": "employs about|has roughly|employs some|has nearly|supports around|counts",
    "staff": "people|staff|workers|employees|contractors",
    "reported": "reported|posted|recorded|booked|announced",
    "contract_np": "The contract|The agreement|The deal|The concession|The framework deal|The licence",
    "contract_runs": "runs until|expires in|lasts until|is due to end in|covers the years to",
    "contract_ext": "| and can be extended for a further {num_small} years| with an option to "
    "extend| with a break clause in {year}| and includes penalties for {issue}",
    "Inspectors": "Inspectors|Auditors|Investigators|Engineers|Officials from {org3}",
    "during": "during a visit in|in a review in|on an inspection in|in checks carried out in",
    "expects": "expects|hopes|has promised|wants|needs|is counting on",
    "In_place": "In {place}|Locally|Since {year}|For {group}|In {region}",
    "handles": "handles|serves|processes|carries|deals with",
    "units": "{group}|requests|cases|journeys|applications|visits",
    "period_unit": "day|week|month|year",
    "compared_with": "compared with|up from|down from|against",
    "rely_on": "rely on|use|depend on|are served by|would be affected by|have signed up to|"
    "have objected to|stand to benefit from",
    "damaged": "damaged|undermined|shaken|eroded|dented|strained",
    "Figures": "Figures|Data|Statistics|Numbers|Estimates",
    "source_doc": "a briefing paper|a consultation document|a letter|an email|a slide "
    "presentation|a draft report|a memo",
    "result": "a profit|a loss|revenue|operating costs|an underlying surplus|a deficit",
    # quotes
    "quote": "“{qbody},” {attrib}.|“{qbody}. {qbody2},” {attrib}.|{attrib_pre}: “{qbody}.”|"
    "“{qbody},” {attrib}, adding that {qclause}.|“{qbody},” {attrib}. “{qbody2}.”",
    "attrib": "{pq} said|said {pq_full}|{pq} told the {paper}|{pq} said {day}|{pq} told "
    "reporters in {place}|{pq} wrote in a letter to {group}|{pq} said in a statement|{pq} "
    "told {paper_word} Radio|{pq} told a meeting in {place2}|{pq} posted on social media",
    "attrib_pre": "{pq_full} was blunt|In a statement, {pq} said|Speaking in {place}, {pq} "
    "said|Asked about {issue}, {pq} replied|{pq} put it simply|Pressed on {issue}, {pq} said",
    "qbody": "We are not going to {act} the {thing} without {listening} {group}|This is about "
    "{group}, not about {org2}|Nobody in {place} should {put_up_with} {issue}|The {numbers} "
    "speak for themselves|We have been {warning} about {issue} for {num_small} years|{group} "
    "deserve better than {issue}|I understand the {frustration}, but {qclause}|There is no "
    "{question} that {qclause}|{Frankly}, {qclause}|Our {priority} is to {act} the {thing} "
    "{timeframe}|We will look at every option, including {option}|It would be {irresponsible} "
    "to {act} the {thing} while {issue} continue|What happened in {place2} {must_never}|The "
    "{thing} was never going to be {cheap}|We {welcome} the {decision}, but the {detail_word} "
    "matters|This leaves {group} in {an_impossible} position|Every {week} of delay costs "
    "{money}|I have asked {org2} to explain {explain}|People in {region} have waited "
    "{long_enough}|{group} in {place} tell me {qclause}|I was in {place2} last {weekday} and "
    "{qclause}|My message to {org1} is simple: {act} the {thing}|If {org2} had listened, "
    "{qclause}|We knew about {issue} in {year}, and {qclause}",
    "listening": "listening to|talking to|consulting|asking|hearing from",
    "put_up_with": "have to put up with|be living with|accept|face|be paying for",
    "numbers": "numbers|figures|results|facts|data",
    "warning": "warning|complaining|talking|raising the alarm|writing to ministers",
    "frustration": "frustration|anger|concern|impatience|disappointment",
    "question": "question|doubt|dispute|secret",
    "Frankly": "Frankly|Honestly|To be clear|Let me be clear|Quite simply|Look",
    "priority": "priority|aim|job|focus|plan",
    "irresponsible": "irresponsible|wrong|reckless|naive|a mistake",
    "must_never": "must never happen again|cannot be repeated|was a warning|shocked everyone",
    "cheap": "cheap|easy|quick|popular|simple",
    "welcome": "welcome|accept|support|note|respect",
    "detail_word": "detail|timing|funding|small print|delivery",
    "an_impossible": "an impossible|a very difficult|an unfair|a precarious|a dreadful",
    "week": "week|month|day|season",
    "long_enough": "long enough|far too long|years for this|patiently",
    "qbody2": "{qbody}|We will keep pressing {org1} on this|That is the {reality}|The next "
    "{num_small} weeks will be crucial|Nobody should pretend otherwise|We owe {group} an answer",
    "reality": "reality|truth|bottom line|long and short of it",
    "qclause": "{org1} got this wrong|the {thing} will go ahead|{issue} will not fix themselves|"
    "{group} will pay the price|we need {money} just to stand still|the {thing} remains the {best} "
    "option|{org2} has questions to answer|talks with {org2} will continue {timeframe}|"
    "the figures for {place} are {worse} than expected|{issue} are getting worse",
    "best": "best|only|cheapest|safest|most realistic",
    "worse": "worse|better|far worse|no better",
    "option": "{act_ing} the {thing}|legal action against {org2}|a public inquiry|a new "
    "tender|emergency funding|a phased rollout",
    "explain": "why {issue} were not reported|where the {money} went|how {issue} were allowed to "
    "continue|what went wrong in {place2}",
    # reaction
    "reaction": "{The_observers} {react_verb} the {decision}, saying it {react_claim}.|{pq_full} "
    "said the {decision} {react_claim}.|{org2} {react_verb} the {decision} and {called_for} "
    "{demand}.|In {place2}, {group} {react_act} {outside} {org1} {day}.|{org3} "
    "said it would {study} the {decision} before {deciding} whether to {next_step}.|Shares in "
    "{org1} {moved} {pct} {after_ann}.|{The_observers} have {react_verb} the "
    "{decision}, {with_some} {demand}.|Not everyone was {convinced}: {pq_full} "
    "said the {decision} {react_claim}.|{org3}, which {represents} {num_big} {group}, said it "
    "{react_claim}.|A poll by {org3} found {pct} of {group} {opposed} the {decision}.",
    "called_for": "called for|demanded|urged|pressed for|asked for",
    "outside": "outside the offices of|outside the headquarters of|in front of|at a meeting of|"
    "near the offices of",
    "study": "study|review|examine|consider|look closely at|take legal advice on",
    "deciding": "deciding|making up its mind|choosing|it decides",
    "after_ann": "after the announcement|in early trading|on the news|by the close|in response",
    "with_some": "with some calling for|and several urged|with one calling for|while others "
    "demanded|and renewed calls for",
    "convinced": "convinced|persuaded|impressed|happy|reassured",
    "represents": "represents|speaks for|has|counts|includes",
    "opposed": "opposed|supported|had doubts about|welcomed|knew little about",
    "react_verb": "welcomed|criticised|questioned|condemned|cautiously backed|dismissed|"
    "attacked|praised|challenged|broadly supported",
    "decision": "decision|move|announcement|plan|proposal|deal|ruling|timetable",
    "react_claim": "{react_adj} {group}|{do_little} {issue}|came {too_adv} late|"
    "was the right call|ignored {issue}|could cost {money}|set a worrying precedent|offered no "
    "answer on {issue}|was {num_small} years overdue",
    "do_little": "would do little to ease|would barely dent|was no answer to|ignored the causes "
    "of|risked making worse|would not end",
    "react_adj": "failed|short-changed|ignored|protected|let down|put at risk",
    "too_adv": "far too|much too|several years too|months too",
    "demand": "an independent inquiry|a public consultation|emergency talks|the resignation of "
    "{pq_full}|a freeze on {issue}|compensation for {group}|a vote in parliament|full "
    "publication of the costs|a meeting with {org1}|an audit of {org1}",
    "react_act": "protested|gathered|staged a sit-in|held a vigil|marched|handed in a petition",
    "next_step": "appeal|take legal action|withdraw from the scheme|seek compensation|lodge a "
    "complaint|join the programme",
    "moved": "fell|rose|slipped|jumped|dropped|climbed",
    # background
    "background": "{p1}, who became {p1_role} of {p1_org} in {year}, has {bg_record}.|{org1} "
    "was set up in {year} to {act} the {thing} and now {bg_org_now}.|The {thing} has been "
    "{bg_history} {since_proposed} {year}.|{p2}, the {p2_role} of {p2_org}, "
    "previously {bg_career} before joining in {year}.|{org1} was fined {money} in {year} over "
    "{issue} at its {tthing} in {place2}.|The dispute dates back to {year}, when {org1} and "
    "{org2} {bg_dispute}.|{place}, a town of about {num_big} people, {bg_place}.|"
    "Relations between {org1} and {org2} have been strained since {bg_strain}.",
    "since_proposed": "since it was first proposed in|since plans were drawn up in|ever since "
    "its launch in|since work began in|since it was announced in",
    "bg_record": "faced repeated criticism over {issue}|overseen {num_small} restructurings|"
    "promised to end {issue} by {year_future}|survived a confidence vote in {year}|made the "
    "{thing} the centrepiece of her programme|clashed with {org2} over {issue}",
    "bg_org_now": "employs about {num_big} people|manages assets worth {money}|serves {num_big} "
    "{group}|operates in {num_small} regions|answers to {org2}",
    "bg_history": "mired in {issue}|delayed {num_small} times|the subject of {num_small} "
    "reviews|repeatedly redesigned|contested by {observers}|over budget",
    "bg_career": "ran {org3}|worked for {num_small} years at {org3}|led the {tthing} in "
    "{place2}|advised the government on {issue}|chaired a review of {issue}",
    "bg_dispute": "fell out over {issue}|signed a {money} agreement on the {thing}|clashed "
    "over the {tthing} in {place2}|ended a joint venture worth {money}",
    "bg_place": "has lost {num_small} percent of its jobs since {year}|depends heavily on "
    "the {thing}|was hit hard by {issue} in {year}|has voted against {org1} in {num_small} "
    "consecutive elections|sits at the centre of {region}",
    "bg_strain": "{issue} in {year}|a failed merger in {year}|the {tthing} was {passive} in "
    "{year}|a public row over {money} in {year}",
    # closing
    "closing": "A final decision is expected {timeframe}.|{org1} said it would publish "
    "{publish} {timeframe}.|The {thing} is due to be debated by {org3} {timeframe}.|Talks "
    "between {org1} and {org2} are set to resume {day_future}.|{pq_full} is due to give "
    "evidence to {org3} {timeframe}.|Neither {org1} nor {org2} responded to requests for "
    "comment.|A consultation on the {thing} runs until the end of {month}.|{org2} has until "
    "{month} to respond.",
    "publish": "full details|a revised timetable|the independent review|its annual accounts|a "
    "response to the consultation|the findings",
    "day_future": "next {weekday}|on {weekday}|later this month|in {month}|after the holiday",
    # headlines
    "headline": "{org1} {hl_verb} {thing} in {place}|{place} {thing} {hl_noun} as {issue} "
    "{worsened}|{p1_last} vows to {act} {thing} {timeframe}|{group} {hl_react} over "
    "{thing} {hl_noun}|{money} {thing} {hl_noun} after {issue}|Questions mount over {place} "
    "{thing}|{org2} {hl_react2} {org1} over {issue}|What the {thing} {hl_noun} means for "
    "{group}|{p1_last} under pressure as {issue} {worsened}|{thing} in {place}: {hl_tail}",
    "hl_verb": "scraps|delays|approves|unveils|halts|expands|rethinks|backs|freezes|reopens",
    "hl_noun": "plan|decision|deal|delay|row|U-turn|review|shake-up|bid|setback",
    "hl_react": "react angrily|fear the worst|welcome clarity|demand answers|vow to fight on",
    "hl_react2": "challenges|criticises|sues|backs|urges|warns",
    "hl_tail": "what happens next|the key questions|a timeline|five things to know|who wins and who loses",
    # briefs (short items)
    "brief": "{org1} said {day} it would {act} the {tthing} in {place} {timeframe}.|Police in "
    "{place} are appealing for witnesses after {incident} {day}.|{org1} has appointed {p1} as "
    "its new {p1_role}, with effect from {month}.|The {tthing} in {place} will close for "
    "{num_small} days from {weekday} for {works}.|{group} in {place} are being asked to "
    "{ask} ahead of {event} {day_future}.|{org1} reported {result} of {money} for the "
    "{period}, {compared}.|A {tthing} in {place} has been {passive} after {cause}.|Tickets for "
    "{event} in {place} go on sale {day_future}.|{p1}, {p1_role} of {p1_org}, will step down "
    "{timeframe}.|Residents of {place2} have until {month} to comment on {a_thing}.",
    "incident": "a collision on the {place_road}|a fire at a {building}|a break-in at a "
    "{building}|a fall from a {building}|a minor explosion at a {building}",
    "place_road": "ring road|high street|coast road|bypass|old bridge|harbour road",
    "building": "warehouse|school|pharmacy|sports centre|depot|restaurant|church hall|garage",
    "works": "repairs|maintenance|resurfacing|safety checks|an inspection|cleaning",
    "ask": "conserve water|check their tickets|register early|avoid the town centre|report "
    "sightings|keep pets indoors",
    "event": "the {place} {festival}|the annual {festival}|{org1}'s open day|the regional {festival}",
    "festival": "food festival|marathon|book fair|regatta|jazz weekend|agricultural show|"
    "film festival|street market",
    "period": "first quarter|half year|full year|third quarter",
    "compared": "compared with {money} a year earlier|in line with forecasts|below analysts' "
    "expectations|ahead of guidance|its best result since {year}",
}

# Site chrome: the lines a site glues around every page. Alternatives are tuples here,
# since the lines themselves contain "|".
CHROME: dict[str, tuple[str, ...]] = {
    "nav": (
        "Home | News | Politics | Business | Sport | Opinion | Culture | Weather | Obituaries | "
        "Puzzles | Podcasts",
        "Home | Local | National | World | Money | Sport | Lifestyle | Travel | Jobs | Classifieds",
        "News | {site_place} | Business | Property | Sport | What's on | Letters | Archive",
    ),
    "subscribe": (
        "Subscribe to the {site} for {price} a month and get unlimited access to local news, "
        "puzzles, the archive and our morning briefing. Cancel anytime.",
        "Subscribe to the {site}: independent journalism from {site_place} since {founded}. First "
        "{num_small} weeks free, then {price} a month.",
        "You have read {num_small} free articles this month. Subscribe to the {site} for {price} a "
        "month to keep reading without limits.",
    ),
    "newsletter_line": (
        "Sign up for {newsletter}, our free newsletter with the day's top stories from "
        "{site_place}, delivered to your inbox every weekday morning.",
        "Get {newsletter} in your inbox: the best of the {site}'s reporting, hand-picked by our "
        "editors every {weekday}.",
    ),
    "share": (
        "Share this article: Facebook | X | LinkedIn | WhatsApp | Email | Copy link",
        "Share: Facebook · X · WhatsApp · Email · Print",
    ),
    "footer": (
        "© {founded_recent} {site} Media Group. All rights reserved. Terms of use | Privacy policy | "
        "Cookie settings | Contact us | Advertise with us | Careers | Corrections",
        "Copyright {founded_recent} {site}. Registered in {site_place}. About us | Complaints | "
        "Editorial code | Accessibility | Sitemap",
        "The {site} is a member of the {regulator}. Read our editorial standards and how to make a "
        "complaint.",
    ),
    "cookie": (
        "We and our {num_small} partners use cookies and similar technologies to store and access "
        "information on your device, to personalise content and ads, to measure audiences and to "
        "improve our services. You can change your choices at any time in Privacy settings. Accept "
        "all | Reject all | Manage preferences",
        "The {site} uses cookies to make this website work, to remember your settings and to show "
        "you relevant advertising. Some are set by third parties. By continuing to browse you agree "
        "to our use of cookies as described in our cookie policy. OK | Settings | More information",
    ),
    "apps": (
        "Download the {site} app for iPhone and Android to get breaking news alerts from "
        "{site_place} and {region_word}.",
        "Listen to our daily podcast, {podcast}, wherever you get your podcasts.",
    ),
    "regulator": (
        "Independent Press Standards Organisation",
        "Press Council",
        "Regional Publishers' Association",
        "Editorial Standards Board",
    ),
    "price": ("£1", "£2.99", "$4.99", "€3.50", "£5", "$1", "€1.99"),
    "newsletter": (
        "The Morning Edition",
        "Daily Briefing",
        "The {site_place} Bulletin",
        "First Thing",
        "Evening Digest",
        "The Week in {site_place}",
    ),
    "podcast": ("The {site_place} Hour", "Inside the {site}", "Front Page", "The Briefing Room"),
    "region_word": ("beyond", "the surrounding villages", "the wider region", "across the county"),
}

# Lines a paywalled or teaser copy ends with.
TEASER_ENDINGS = (
    "Subscribe to continue reading.",
    "This article is available to subscribers. Log in or subscribe to read the rest.",
    "Read the full story at the {site}.",
    "Continue reading: register for free to unlock {num_small} articles a month.",
)

# Lines a syndicating site adds to say where the story came from.
ATTRIBUTIONS = (
    "This story was originally published by {agency} and is republished with permission.",
    "Additional reporting by {agency}.",
    "This article first appeared in the {site}.",
    "{agency} contributed to this report.",
)
