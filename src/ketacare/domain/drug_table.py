"""The drug table behind `lookup_drug`: generic names, brand aliases, classes, equivalents.

Classes follow the clinical reference §3.4 (interacting classes) and §3.3 (mood stabilisers);
which drug belongs to which class is standard pharmacology, not itself in the reference.
Diazepam equivalents (oral dose ≈ 10 mg diazepam) are Ashton's (rev. 2007; midazolam from the
WHO 2009 table); the reference lacks a table, so both sources are declared UNCONFIRMED.
Where Ashton gives a range the lower dose is used (the higher, more cautious load).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ketacare.domain.drugs import DrugClass, DrugInfo, normalise_drug_name
from ketacare.domain.sources import ASHTON_BZD_EQUIVALENCE, WHO_2009_BZD_EQUIVALENCE, Source

C = DrugClass
BZD = C.BENZODIAZEPINE
ZD = C.Z_DRUG
STIM = C.PSYCHOSTIMULANT
MAOI = C.MAOI
OPI = C.OPIOID
CNS = C.OTHER_CNS_DEPRESSANT
GLU = C.GLUTAMATE_MODULATOR
NMDA = C.NMDA_ACTIVE
XAN = C.XANTHINE
SYM = C.SYMPATHOMIMETIC
MS = C.MOOD_STABILISER
AD = C.ANTIDEPRESSANT
ANX = C.ANXIOLYTIC
AP = C.ANTIPSYCHOTIC
CAN = C.CANNABINOID
IND = C.CYP_INDUCER
INH = C.CYP_INHIBITOR


def _d(
    name: str,
    *classes: DrugClass,
    aka: tuple[str, ...] = (),
    dz: float | None = None,
    dz_source: Source = ASHTON_BZD_EQUIVALENCE,
) -> DrugInfo:
    return DrugInfo(name, frozenset(classes), aka, dz, dz_source if dz is not None else None)


_TABLE: tuple[DrugInfo, ...] = (
    # Benzodiazepines: dz = oral mg ≈ 10 mg diazepam (Ashton)
    _d("alprazolam", BZD, aka=("xanax",), dz=0.5),
    _d("bromazepam", BZD, aka=("lexotan", "lexomil"), dz=5),
    _d("chlordiazepoxide", BZD, aka=("librium",), dz=25),
    _d("clobazam", BZD, aka=("frisium", "onfi"), dz=20),
    _d("clonazepam", BZD, aka=("klonopin", "rivotril"), dz=0.5),
    _d("clorazepate", BZD, aka=("tranxene",), dz=15),
    _d("diazepam", BZD, aka=("valium",), dz=10),
    _d("estazolam", BZD, aka=("prosom",), dz=1),
    _d("flunitrazepam", BZD, aka=("rohypnol",), dz=1),
    _d("flurazepam", BZD, aka=("dalmane",), dz=15),
    _d("halazepam", BZD, dz=40),
    _d("ketazolam", BZD, dz=15),
    _d("loprazolam", BZD, dz=1),
    _d("lorazepam", BZD, aka=("ativan", "temesta"), dz=1),
    _d("lormetazepam", BZD, dz=1),
    _d("medazepam", BZD, dz=10),
    _d("midazolam", BZD, aka=("versed",), dz=5, dz_source=WHO_2009_BZD_EQUIVALENCE),
    _d("nitrazepam", BZD, aka=("mogadon",), dz=10),
    _d("nordazepam", BZD, dz=10),
    _d("oxazepam", BZD, aka=("serax", "seresta"), dz=20),
    _d("prazepam", BZD, dz=10),
    _d("quazepam", BZD, aka=("doral",), dz=20),
    _d("temazepam", BZD, aka=("restoril",), dz=20),
    _d("triazolam", BZD, aka=("halcion",), dz=0.5),
    # Z-drugs (non-benzodiazepine sedative hypnotics)
    _d("zolpidem", ZD, aka=("ambien", "stilnox"), dz=20),
    _d("zopiclone", ZD, aka=("imovane", "zimovane"), dz=15),
    _d("zaleplon", ZD, aka=("sonata",), dz=20),
    _d("eszopiclone", ZD, aka=("lunesta",)),  # not in Ashton's table: no equivalent
    # Psychostimulants
    _d("amphetamine", STIM, aka=("adderall", "mixed amphetamine salts")),
    _d("dextroamphetamine", STIM, aka=("dexamfetamine", "dexedrine")),
    _d("lisdexamfetamine", STIM, aka=("vyvanse", "elvanse")),
    _d("methamphetamine", STIM, aka=("desoxyn",)),
    _d("methylphenidate", STIM, aka=("ritalin", "concerta", "medikinet")),
    _d("dexmethylphenidate", STIM, aka=("focalin",)),
    _d("modafinil", STIM, aka=("provigil",)),
    _d("armodafinil", STIM, aka=("nuvigil",)),
    # MAOIs
    _d("phenelzine", MAOI, AD, aka=("nardil",)),
    _d("tranylcypromine", MAOI, AD, aka=("parnate",)),
    _d("isocarboxazid", MAOI, AD, aka=("marplan",)),
    _d("moclobemide", MAOI, AD, aka=("aurorix", "manerix")),
    _d("selegiline", MAOI, AD, aka=("emsam", "eldepryl")),
    _d("rasagiline", MAOI, aka=("azilect",)),
    _d("linezolid", MAOI, aka=("zyvox",)),
    # Opioids
    _d("morphine", OPI, aka=("ms contin",)),
    _d("oxycodone", OPI, aka=("oxycontin", "percocet")),
    _d("hydrocodone", OPI, aka=("vicodin",)),
    _d("hydromorphone", OPI, aka=("dilaudid",)),
    _d("codeine", OPI),
    _d("dihydrocodeine", OPI),
    _d("tramadol", OPI, aka=("ultram",)),
    _d("tapentadol", OPI, aka=("nucynta", "palexia")),
    _d("fentanyl", OPI, aka=("duragesic",)),
    _d("buprenorphine", OPI, aka=("subutex", "suboxone", "buprenorphine/naloxone")),
    _d("methadone", OPI),
    _d("pethidine", OPI, aka=("meperidine", "demerol")),
    # Other CNS depressants
    _d("alcohol", CNS, aka=("ethanol",)),
    _d("gabapentin", CNS, aka=("neurontin",)),
    _d("pregabalin", CNS, ANX, aka=("lyrica",)),
    _d("phenobarbital", CNS, IND, aka=("phenobarbitone",)),
    _d("butalbital", CNS),
    _d("hydroxyzine", CNS, aka=("atarax", "vistaril")),
    _d("diphenhydramine", CNS, aka=("benadryl",)),
    _d("promethazine", CNS, aka=("phenergan",)),
    _d("doxylamine", CNS, aka=("unisom",)),
    _d("chlorphenamine", CNS, aka=("chlorpheniramine", "piriton")),
    _d("baclofen", CNS, aka=("lioresal",)),
    _d("carisoprodol", CNS, aka=("soma",)),
    _d("cyclobenzaprine", CNS, aka=("flexeril",)),
    _d("tizanidine", CNS, aka=("zanaflex",)),
    _d("sodium oxybate", CNS, aka=("xyrem", "ghb")),
    # Glutamate modulators and NMDA-active drugs
    _d("lamotrigine", GLU, NMDA, aka=("lamictal",)),
    _d("riluzole", GLU, NMDA, aka=("rilutek",)),
    _d("memantine", NMDA, aka=("namenda", "ebixa")),
    _d("amantadine", NMDA),
    _d("acamprosate", NMDA, aka=("campral",)),
    _d("dextromethorphan", NMDA),
    _d("dextromethorphan-bupropion", NMDA, AD, aka=("auvelity",)),
    # Xanthines
    _d("theophylline", XAN, aka=("uniphyllin", "theo-24")),
    _d("aminophylline", XAN),
    # Sympathomimetics and vasopressin
    _d("pseudoephedrine", SYM, aka=("sudafed",)),
    _d("phenylephrine", SYM),
    _d("ephedrine", SYM),
    _d("epinephrine", SYM, aka=("adrenaline", "epipen")),
    _d("norepinephrine", SYM, aka=("noradrenaline",)),
    _d("midodrine", SYM),
    _d("vasopressin", SYM),
    # Mood stabilisers (switch-risk rule: lithium or valproate)
    _d("lithium", MS, NMDA, aka=("lithium carbonate", "priadel", "camcolit")),
    _d(
        "valproate",
        MS,
        aka=("valproic acid", "sodium valproate", "divalproex", "depakote", "depakine", "epilim"),
    ),
    # Antidepressants: SSRIs, SNRIs, TCAs, others
    _d("fluoxetine", AD, aka=("prozac",)),
    _d("sertraline", AD, aka=("zoloft", "lustral")),
    _d("paroxetine", AD, aka=("paxil", "seroxat")),
    _d("citalopram", AD, aka=("celexa", "cipramil")),
    _d("escitalopram", AD, aka=("lexapro", "cipralex")),
    _d("fluvoxamine", AD, aka=("luvox", "faverin")),
    _d("venlafaxine", AD, aka=("effexor",)),
    _d("desvenlafaxine", AD, aka=("pristiq",)),
    _d("duloxetine", AD, aka=("cymbalta",)),
    _d("levomilnacipran", AD, aka=("fetzima",)),
    _d("milnacipran", AD),
    _d("amitriptyline", AD, aka=("elavil",)),
    _d("nortriptyline", AD, aka=("pamelor",)),
    _d("imipramine", AD, aka=("tofranil",)),
    _d("clomipramine", AD, aka=("anafranil",)),
    _d("desipramine", AD),
    _d("doxepin", AD),
    _d("dosulepin", AD, aka=("dothiepin",)),
    _d("trimipramine", AD),
    _d("lofepramine", AD),
    _d("mirtazapine", AD, aka=("remeron", "zispin")),
    _d("bupropion", AD, aka=("wellbutrin", "zyban")),
    _d("vortioxetine", AD, aka=("trintellix", "brintellix")),
    _d("vilazodone", AD, aka=("viibryd",)),
    _d("agomelatine", AD, aka=("valdoxan",)),
    _d("trazodone", AD, aka=("desyrel",)),
    _d("nefazodone", AD, INH),
    _d("reboxetine", AD),
    _d("mianserin", AD),
    # Non-benzodiazepine anxiolytics
    _d("buspirone", ANX, aka=("buspar",)),
    # Antipsychotics
    _d("quetiapine", AP, aka=("seroquel",)),
    _d("olanzapine", AP, aka=("zyprexa",)),
    _d("risperidone", AP, aka=("risperdal",)),
    _d("paliperidone", AP, aka=("invega",)),
    _d("aripiprazole", AP, aka=("abilify",)),
    _d("brexpiprazole", AP, aka=("rexulti",)),
    _d("cariprazine", AP, aka=("vraylar", "reagila")),
    _d("lurasidone", AP, aka=("latuda",)),
    _d("ziprasidone", AP, aka=("geodon",)),
    _d("haloperidol", AP, aka=("haldol",)),
    _d("clozapine", AP, aka=("clozaril",)),
    _d("amisulpride", AP, aka=("solian",)),
    _d("chlorpromazine", AP, aka=("largactil",)),
    # Cannabinoids
    _d("cannabis", CAN, aka=("marijuana", "thc", "medical cannabis")),
    _d("nabilone", CAN, aka=("cesamet",)),
    _d("dronabinol", CAN, aka=("marinol",)),
    # CYP3A4 / CYP2B6 inducers and inhibitors
    _d("carbamazepine", IND, aka=("tegretol",)),
    _d("phenytoin", IND, aka=("dilantin", "epanutin")),
    _d("rifampicin", IND, aka=("rifampin",)),
    _d("st john's wort", IND, aka=("hypericum", "st johns wort")),
    _d("ketoconazole", INH),
    _d("itraconazole", INH, aka=("sporanox",)),
    _d("voriconazole", INH, aka=("vfend",)),
    _d("clarithromycin", INH, aka=("klacid", "biaxin")),
    _d("ritonavir", INH, aka=("norvir", "paxlovid")),
    _d("ticlopidine", INH),
    _d("clopidogrel", INH, aka=("plavix",)),
    # Common medicines with no ketamine interaction class (recordable without error)
    _d("cannabidiol", aka=("cbd", "epidiolex")),
    _d("atomoxetine", aka=("strattera",)),
    _d("clonidine"),
    _d("guanfacine", aka=("intuniv",)),
    _d("prazosin"),
    _d("propranolol", aka=("inderal",)),
    _d("metoprolol"),
    _d("bisoprolol"),
    _d("amlodipine"),
    _d("lisinopril"),
    _d("ramipril"),
    _d("losartan"),
    _d("hydrochlorothiazide"),
    _d("atorvastatin", aka=("lipitor",)),
    _d("simvastatin"),
    _d("metformin"),
    _d("levothyroxine", aka=("synthroid", "eltroxin")),
    _d("omeprazole"),
    _d("pantoprazole"),
    _d("paracetamol", aka=("acetaminophen", "tylenol")),
    _d("ibuprofen"),
    _d("naproxen"),
    _d("aspirin"),
    _d("salbutamol", aka=("albuterol", "ventolin")),
    _d("montelukast"),
    _d("cetirizine"),
    _d("loratadine"),
    _d("melatonin"),
    _d("ondansetron", aka=("zofran",)),
    _d("sumatriptan"),
    _d("prednisolone"),
    _d("naltrexone"),
    _d("disulfiram", aka=("antabuse",)),
    _d("varenicline", aka=("champix", "chantix")),
    _d("topiramate", aka=("topamax",)),
    _d("oxcarbazepine", aka=("trileptal",)),
    _d("levetiracetam", aka=("keppra",)),
    _d("combined oral contraceptive", aka=("ethinylestradiol/levonorgestrel",)),
)


def _index(table: tuple[DrugInfo, ...]) -> dict[str, DrugInfo]:
    index: dict[str, DrugInfo] = {}
    for info in table:
        for key in (info.name, *info.aliases):
            normal = normalise_drug_name(key)
            if normal in index:  # a programming error in the table, caught at import
                raise ValueError(f"drug name {normal!r} appears twice in the drug table")
            index[normal] = info
    return index


DRUGS: Mapping[str, DrugInfo] = MappingProxyType({d.name: d for d in _TABLE})
DRUG_INDEX: Mapping[str, DrugInfo] = MappingProxyType(_index(_TABLE))
