"""The published sources the clinical rules rest on, declared once and cited by key.

Facts come from `shared/design/clinical-reference.md`. A source marked `confirmed=False` is one
the reference flags UNCONFIRMED (recalled, truncated or low quality): a threshold resting on it
is a policy value a prescriber must confirm before the clinic relies on it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """A citation: short label, full citation, address, and whether the reference confirmed it."""

    key: str
    citation: str
    url: str | None = None
    confirmed: bool = True


SOURCES: dict[str, Source] = {}


def source(key: str, citation: str, url: str | None = None, *, confirmed: bool = True) -> Source:
    if key in SOURCES:
        raise ValueError(f"source {key!r} is declared twice")
    declared = Source(key, citation, url, confirmed)
    SOURCES[key] = declared
    return declared


# --- Shared: labels and guidelines cited by several concepts -------------------------------

SPRAVATO_LABEL = source(
    "spravato-label",
    "Spravato (esketamine) nasal spray prescribing information and REMS",
    "https://www.spravatohcp.com/dosing-spravato-trd",
)
SPRAVATO_REMS = source(
    "spravato-rems",
    "FDA Spravato REMS (monitoring ≥ 2 h until sedation, dissociation and respiratory "
    "depression resolve; Patient Monitoring Form)",
    "https://www.accessdata.fda.gov/scripts/cder/rems/index.cfm?event=IndvRemsDetails.page&REMS=386",
)
KETALAR_LABEL = source(
    "ketalar-label",
    "Ketalar (ketamine HCl) US label 2024",
    "https://fda.report/DailyMed/46dab560-8ecd-4d92-8c92-6baa2310b09b",
)
SWISS_SMPC = source(
    "swiss-ketamine-smpc",
    "Swiss ketamine SmPC, contraindications (resting BP > 180/100 mmHg)",
    "https://ch.oddb.org:443/en/gcc/fachinfo/reg/67199/chapter/contra_indications",
)
ANDRADE_2017 = source(
    "andrade-2017",
    "Andrade C. Ketamine for depression, 4: dosing, administration and duration. "
    "J Clin Psychiatry 2017;78(7):e852–e857",
    "https://dev2.psychiatrist.com/jcp/ketamine-for-depression-dosing-administration-and-duration",
)
CLINIC_POLICY = source(
    "clinic-policy",
    "Clinic policy: an operational default with no published threshold; set by the clinic",
    None,
    confirmed=False,
)

# --- Instruments, outcomes and maintenance -------------------------------------------------
# (sources declared here by the instruments/outcomes/maintenance modules' author; Murrough 2013,
# the 2021 early-improvement study and Transl Psychiatry 2024 are declared in the plans block)

SPITZER_2006 = source(
    "spitzer-2006",
    "Spitzer RL et al. A brief measure for assessing generalized anxiety disorder: the GAD-7. "
    "Arch Intern Med 2006;166:1092–1097 (items 0–3, total 0–21, cut points 5/10/15)",
    "https://scales.arabpsychology.com/index.php/s/gad-7-anxiety-severity/",
)
TOUSSAINT_2020 = source(
    "toussaint-2020",
    "Toussaint A et al. Sensitivity to change and minimal clinically important difference of the "
    "7-item Generalized Anxiety Disorder Questionnaire (GAD-7). J Affect Disord 2020;265:395–401 "
    "(MCID ≈ 4 points)",
    "https://fis.uke.de/portal/en/publications/sensitivity-to-change-and-minimal-clinically-important-difference-of-the-7item-generalized-anxiety-disorder-questionnaire-gad7(3ac450dc-9eb3-48dd-89ee-a5c0bc2d51c3).html",
)
LOINC_PHQ9 = source(
    "loinc-44261-6",
    "LOINC 44261-6 PHQ-9 total score: bands 1–4 minimal, 5–9 mild, 10–14 moderate, "
    "15–19 moderately severe, 20–27 severe (answer list LL382-3 labels 0–4 'None')",
    "https://cdn.loinc.org/44261-6",
)
PHQ9_ITEM9_ASSESSMENT = source(
    "phq9-item9-assessment",
    "PHQ-9 item 9 ≥ 1 ('Several days' or more) → structured suicide risk assessment (e.g. "
    "C-SSRS) before the visit ends; item 9 sens 0.69 / spec 0.84 (Uebelacker 2011); 1-year "
    "attempt risk 0.4% 'not at all' vs 4% 'nearly every day' (Simon 2013)",
    "https://www.iatrox.com/blog/suicide-risk-assessment-primary-care-c-ssrs-phq9-item-9-positive-2026",
)
PHQ9_ITEM9_ZERO_NOT_SAFE = source(
    "phq9-item9-zero-not-safe",
    "VA cohort: 71.6% of suicides had answered PHQ-9 item 9 'not at all' (HR 1.75 / 2.15 / 2.85 "
    "for the higher answers) — item 9 = 0 must not be read as safe. Psychiatr Serv 2016",
    "https://psychiatryonline.org/doi/10.1176/appi.ps.201500149",
)
BLEVINS_2015 = source(
    "blevins-2015",
    "Blevins CA et al. The PCL-5: development and initial psychometric evaluation. J Trauma "
    "Stress 2015 (provisional PTSD at 31–33, 33 recommended; DSM-5 cluster rule B1/C1/D2/E2 "
    "with items ≥ 2 endorsed), via NCPTSD scoring guidance",
    "https://comorbidityguidelines.org.au/appendix-s-ptsd-checklist-for-dsm5-pcl5/pcl5-scoring-and-interpretation",
)
MOAAS_SCALE = source(
    "moaas-scale",
    "Modified Observer's Assessment of Alertness/Sedation (MOAA/S) 0–5 anchors, BMC "
    "Anesthesiol 2022 table 2 (Spravato counts MOAA/S 0 as loss of consciousness)",
    "https://bmcanesthesiol.biomedcentral.com/articles/10.1186/s12871-022-01788-1/tables/2",
)
CADSS6_RODRIGUES_2021 = source(
    "cadss6-rodrigues-2021",
    "Rodrigues NB et al. A simplified 6-item CADSS for IV ketamine (original items 1, 2, 6, 7, "
    "15, 22; r_s 0.91–0.95 with the full scale). J Affect Disord 2021; CADSS: Bremner et al. "
    "J Trauma Stress 1998. Item wording not in the reference: UNCONFIRMED",
    "https://research.regionh.dk/da/publications/a-simplified-6-item-clinician-administered-dissociative-symptom-s",
    confirmed=False,
)
HULL_2022 = source(
    "hull-2022",
    "Hull TD et al. At-home sublingual ketamine telehealth, n=1247. J Affect Disord "
    "2022;314:59–67 (response ≥ 50% reduction; remission = score < 5 with baseline ≥ 10 on "
    "PHQ-9 / GAD-7)",
    "https://www.moreblossom.com/trials/drozdz-2022-sublingual-ketamine-telehealth-retrospective",
)
RELAPSE_DEFINITION = source(
    "relapse-definition",
    "Clinic policy: relapse = loss of response (improvement from baseline below the response "
    "percentage) on consecutive measurements after a response. Published relapse criteria "
    "(Murrough 2013, SUSTAIN-1) are study-specific and UNCONFIRMED in the reference",
    None,
    confirmed=False,
)
BOOSTER_DERIVED = source(
    "booster-derived",
    "DERIVED policy (reference §8 rule 10): booster when GAD-7 rises ≥ 4 points (MCID, "
    "Toussaint 2020) above the post-loading level or returns to ≥ 10 (moderate cut-off, "
    "Spitzer 2006); needs clinician sign-off",
    None,
    confirmed=False,
)
COTTRELL_2012 = source(
    "cottrell-2012",
    "Cottrell AM et al. Urinary symptoms in recreational ketamine users (n=1285; 26.6% with "
    "symptoms, dose- and frequency-related). BJU Int 2012;110(11):1762–1766; Spravato label: "
    "monitor urinary tract symptoms and refer as warranted",
    "https://peeref.com/works/7623890",
)
TOLERANCE_POLICY = source(
    "tolerance-policy",
    "Clinic policy: tolerance = a shrinking benefit per session over recent sessions. The "
    "Spravato label reports tolerance with prolonged ketamine use; a quantified loss of efficacy "
    "over maintenance is UNCONFIRMED in the reference",
    None,
    confirmed=False,
)
OVERUSE_DERIVED = source(
    "overuse-derived",
    "DERIVED clinic policy: at most weekly maintenance sessions (the most frequent labelled "
    "esketamine maintenance schedule, weeks 5–8) at ≈ 1 mg/kg IV-equivalent each (84 mg "
    "esketamine ≈ 1 mg/kg IV per ASKP3; IV up to 1.0 mg/kg) — no published overuse limit",
    None,
    confirmed=False,
)
ANDRASHKO_2020 = source(
    "andrashko-2020",
    "Andrashko V et al. Concomitant benzodiazepines and ketamine response: > 8 mg "
    "diazepam-equivalent/day separated non-responders (sens 80%, spec 85%; n=47). "
    "Front Psychiatry 2020",
    "https://www.frontiersin.org/articles/10.3389/fpsyt.2020.00844/full",
)

# --- Screening and interacting drugs -------------------------------------------------------

SPRAVATO_CONTRAINDICATIONS = source(
    "spravato-contraindications",
    "Spravato label section 4: aneurysmal vascular disease or arteriovenous malformation; "
    "history of intracerebral haemorrhage; hypersensitivity to esketamine, ketamine or any "
    "excipient",
    "https://www.usmedicine.com/2021online-dir/inc/html/30.html",
)
SPRAVATO_WARNINGS = source(
    "spravato-warnings",
    "Spravato label warnings and precautions: psychosis, substance use disorder, other "
    "cardiovascular/cerebrovascular disease, hypertensive encephalopathy, hepatic impairment "
    "(severe / Child-Pugh C not recommended), cystitis, pregnancy and breastfeeding not "
    "recommended, suicidal thoughts ≤ 24 years, not approved < 18 years (the reference's first "
    "link for these is a label summary on an unrelated third-party domain; the medicinenet "
    "summary it also lists is cited instead)",
    "https://medicinenet.com/side_effects_of_esketamine_spravato/side-effects.htm",
)
SPRAVATO_INTERACTIONS = source(
    "spravato-interactions",
    "Spravato label 7.1: CNS depressants increase sedation; psychostimulants and MAOIs raise "
    "blood pressure — monitor closely; REMS form flags these four classes",
    "https://www.mdedge.com/currentpsychiatry/article/199869/depression/intranasal-esketamine/page/0/3",
)
KETALAR_UK_SMPC = source(
    "ketalar-uk-smpc",
    "Ketalar UK SmPC: contraindicated where a BP rise is a serious hazard; not for "
    "eclampsia/pre-eclampsia, severe coronary or myocardial disease, cerebrovascular accident, "
    "cerebral trauma; hypersensitivity",
    "https://rxreasoner.com/monographs/ketalar/precautions",
)
MILLERS_ANESTHESIA = source(
    "millers-anesthesia",
    "Miller's Anesthesia 6th ed., ketamine: raised intracranial pressure / intracranial mass, "
    "open-eye injury or raised intraocular pressure, ischaemic heart disease (as sole agent), "
    "vascular aneurysm, schizophrenia / prior adverse reaction (address truncated in the "
    "reference)",
    None,
)
OXFORD_KETAMINE_CLINIC = source(
    "oxford-ketamine-clinic",
    "Oxford Health NHS ketamine clinic exclusions: raised ICP, severe hypertension, glaucoma, "
    "recent epilepsy, recent/current psychosis, history of mania (esp. drug-induced), "
    "pregnancy/breastfeeding/IVF, cannot abstain from alcohol 24 h, recreational drugs",
    "https://www.oxfordhealth.nhs.uk/ketamine/overview/limitations/",
)
DUTCH_TRD_TRIAL = source(
    "dutch-trd-trial",
    "Dutch ketamine TRD trial exclusions (PMC6884875 table 1): active suicidal intent, psychotic "
    "features, moderate/severe substance dependence, pregnancy/lactation, MAOIs, > 2 mg "
    "lorazepam-equivalent/day; TRD = ≥ 3 antidepressant classes ≥ 4 weeks each",
    "https://pmc.ncbi.nlm.nih.gov/articles/PMC6884875/table/Tab1",
)
BIPOLAR_MOOD_STABILISER = source(
    "bipolar-mood-stabiliser",
    "Bipolar depression: give ketamine with a mood stabiliser (lithium or valproate) to reduce "
    "switch risk — secondary summary and clinic PRACTICE only",
    None,
    confirmed=False,
)
ANDRADE_2017_INTERACTIONS = source(
    "andrade-2017-interactions",
    "Andrade C. Ketamine for depression, 5: potential pharmacokinetic and pharmacodynamic drug "
    "interactions. J Clin Psychiatry 2017;78(7) (lamotrigine reduces adverse effects — effect on "
    "response unknown; CYP2B6/3A4; antidepressants can probably be combined)",
    "https://www.psychiatrist.com/JCP/article/Pages/2017/v78n07/17f11802.aspx",
)
NCT05803551 = source(
    "nct05803551",
    "NCT05803551 (ICU ketamine trial): excluded NMDA-active drugs (lamotrigine, acamprosate, "
    "memantine, riluzole, lithium)",
    "https://trials.co/clinical-trials-details/-/NCT05803551",
)
TRD_ADEQUATE_TRIAL = source(
    "trd-adequate-trial",
    "Operational TRD: each antidepressant trial ≥ 4 weeks at an adequate dose with < 25% "
    "improvement — secondary summary; exact label wording UNCONFIRMED",
    "https://www.droracle.ai/articles/861714",
    confirmed=False,
)
BOKMA_2019 = source(
    "bokma-2019",
    "Bokma WA et al. Treatment-resistant anxiety disorders: a systematic review (62 "
    "definitions; 62.9% after 1 failure); proposed: ≥ 1 first-line drug and ≥ 1 psychological "
    "treatment failed, each ≥ 8 weeks, anxiety still above a severity threshold. Depress Anxiety "
    "2019;36(9):801–812",
    "http://47.251.13.51:8081/31231925",
)
ASHTON_BZD_EQUIVALENCE = source(
    "ashton-bzd-equivalence",
    "Ashton CH. Benzodiazepine equivalence table (rev. April 2007): oral doses approximately "
    "equivalent to 10 mg diazepam. Not in the clinical reference: UNCONFIRMED",
    "https://www.benzo.org.uk/bzequiv.htm",
    confirmed=False,
)
BP_RISE_PREDICTORS = source(
    "bp-rise-predictors",
    "Cardiovascular effects of repeated subanaesthetic ketamine infusions (135 pts, 741 "
    "infusions): larger BP rises with age ≥ 50, hypertension, dissociation, higher dose",
    "https://www.physiciansweekly.com/cardiovascular-effects-of-repeated-subanaesthetic-ketamine-infusion-in-depression/",
)
WHO_2009_BZD_EQUIVALENCE = source(
    "who-2009-bzd-equivalence",
    "WHO 2009 Clinical guidelines for withdrawal management in closed settings, table 8 "
    "(midazolam 2.5 mg ≈ diazepam 5 mg). Not in the clinical reference: UNCONFIRMED",
    "https://ncbi.nlm.nih.gov/books/NBK310652/table/part4.t9/",
    confirmed=False,
)

# --- Routes, dosing and plans --------------------------------------------------------------

FAVA_2018 = source(
    "fava-2018",
    "Fava M et al. Double-blind, placebo-controlled, dose-ranging trial of intravenous ketamine "
    "as adjunctive therapy in treatment-resistant depression. Mol Psychiatry 2018",
    "https://pmc.ncbi.nlm.nih.gov/articles/PMC6447473",
)
SINGH_2019 = source(
    "singh-2019",
    "Singh B et al. BMI and remission in depressed patients receiving IV ketamine (letter). "
    "J Clin Psychiatry 2019 — cites the APA consensus (Sanacora 2017) suggesting ideal body "
    "weight for BMI ≥ 30; Mayo trials infused 0.5 mg/kg over 100 min",
    "https://legacy.psychiatrist.com/jcp/depression/bmi-and-remission-in-depressed-patients-receiving-iv-ketamine/",
)
DEVINE_1974 = source(
    "devine-1974",
    "Devine BJ. Gentamicin therapy. Drug Intell Clin Pharm 1974;8:650–655 (ideal body weight: "
    "men 50 kg, women 45.5 kg, + 2.3 kg per inch over 5 ft). Not in the clinical reference; "
    "formula checked against secondary pharmacy references",
    "https://doi.org/10.1177/106002807400801104",
)
ASKP_ROUTES = source(
    "askp-routes",
    "ASKP3 routes-of-administration table (K. Thomas PharmD): bioavailability, peak effect and "
    "dose equivalents for a 70 kg adult",
    "https://www.askp.org/patients/routes-of-administration-roa/",
)
ASKP_ROUTES_SUBLINGUAL = source(
    "askp-routes-sublingual",
    "ASKP3 routes table, truncated row read as sublingual/troche (25–40%, peak 20–30 min, "
    "≈100 mg ≈ 0.5 mg/kg IV) — the row mapping is UNCONFIRMED",
    "https://www.askp.org/patients/routes-of-administration-roa/",
    confirmed=False,
)
ASKP3_BASICS = source(
    "askp3-basics",
    "ASKP3 Basics of Administration: usual starting dose 0.5–1 mg/kg IV over 40–60 min",
    "https://www.prnewswire.com/news-releases/american-society-of-ketamine-physicians-psychotherapists-and-practitioners-announces-standards-of-practice-in-the-therapeutic-use-of-subanesthetic-ketamine-301109692.html",
)
CHILUKURI_2014_POLICY = source(
    "chilukuri-2014-policy",
    "Clinic policy anchored on Chilukuri et al. Indian J Psychol Med 2014;36(1):71–76 (IM 0.25 "
    "and 0.5 mg/kg equally effective, n=27): the tested doses used as the allowed IM range; no "
    "published IM range exists",
    "https://pubmed.ncbi.nlm.nih.gov/24701015/",
    confirmed=False,
)
ORAL_SL_POLICY = source(
    "oral-sublingual-policy",
    "Clinic policy anchored on Andrade, J Clin Psychiatry 2019 (oral ≈ 2.0–2.5 mg/kg ≈ IV "
    "0.5 mg/kg; reported 0.25–7.0 mg/kg, 25–300 mg), Lara et al. 2013 (10 mg SL) and Hull et al. "
    "J Affect Disord 2022 (300–450 mg SL at home, initial ≈ 5 mg/kg); no published SL range",
    "https://psychiatrist.com/jcp/depression/oral-ketamine-for-depression-practical-considerations",
    confirmed=False,
)
MURROUGH_2013 = source(
    "murrough-2013",
    "Murrough JW et al. Rapid and longer-term antidepressant effects of repeated ketamine "
    "infusions in treatment-resistant major depression. Biol Psychiatry 2013;74(4):250–256",
    "https://pmc.ncbi.nlm.nih.gov/articles/PMC3725185",
)
OLIVER_2022 = source(
    "oliver-2022",
    "Oliver PA et al. Clinical effectiveness of intravenous racemic ketamine infusions in a large "
    "community sample. J Clin Psychiatry 2022;83(6):21m14336",
    "https://www.psychiatrist.com/jcp/clinical-effectiveness-intravenous-racemic-ketamine-treatment-resistant-depression-suicidal-ideation-generalized-anxiety-symptoms/",
)
LOADING_EXTENSION_PRACTICE = source(
    "loading-extension-practice",
    "PRACTICE: loading of 6–10 infusions over 3–4 weeks (Principium Psychiatry); Oliver 2022 "
    "reported outcomes at 10 infusions. Extension for partial response is clinic policy",
    "https://www.principiumpsychiatry.com/ketamine-maintenance-how-often-and-how-long/",
    confirmed=False,
)
LOO_2023_KADS = source(
    "loo-2023-kads",
    "Loo C et al. (KADS) Br J Psychiatry 2023;223(6):533–541: escalation 0.5 → 0.6 → 0.75 → "
    "0.9 mg/kg when improvement < 50%; youth SC trial drops to 0.5 mg/kg for intolerance",
    "https://pmc.ncbi.nlm.nih.gov/articles/PMC10727911/",
)
EARLY_IMPROVEMENT_2021 = source(
    "early-improvement-2021",
    "Canadian Rapid Treatment Center: ≥ 20% improvement after infusion 1–2 predicted response, "
    "but 58% of non-early improvers reached ≥ 20% by infusion 4 — do not stop after 1–2 (2021)",
    "https://pubmed.ncbi.nlm.nih.gov/33031861/",
)
TRANSL_PSYCHIATRY_2024 = source(
    "transl-psychiatry-2024",
    "Transl Psychiatry 2024 (n=135, 6 infusions): no improvement after 4 infusions, or 3 "
    "consecutive non-improvements, signals non-response",
    "http://preview-www.nature.com/articles/s41398-024-03027-2",
)

# --- Vitals, session safety and discharge --------------------------------------------------

RIVA_POSSE_2018 = source(
    "riva-posse-2018",
    "Riva-Posse P et al. J Affect Disord 2018 (Emory, 66 patients, 684 infusions of 0.5 mg/kg "
    "over 40 min): BP every 10 min during the infusion and every 15 min afterwards",
    "https://pubmed.ncbi.nlm.nih.gov/29525051/",
)
NCT05803551_EXCLUSIONS = source(
    "nct05803551-vital-exclusions",
    "NCT05803551 vital-sign exclusion criteria (ICU ketamine trial): SpO2 < 95%, SBP < 90 or "
    "> 180 mmHg, HR < 50 or > 120 /min, RR < 10 or > 30 /min — research exclusions, not a "
    "clinical threshold: UNCONFIRMED as a pre-dose rule",
    "https://trials.co/clinical-trials-details/-/NCT05803551",
    confirmed=False,
)
IN_SESSION_ALERT_DEFAULTS = source(
    "in-session-alert-defaults",
    "UNCONFIRMED in-session alert defaults (clinical reference §2.3): Sanacora et al. APA "
    "consensus, JAMA Psychiatry 2017;74(4):399–405 (in-session > 180/100 or HR > 110, recalled, "
    "not verified); an academic esketamine clinic's PRN protocol (> 180/110 twice, > 200/120 "
    "once, HR > 120 sustained; PRACTICE); NCT05803551 exclusions. Need clinic sign-off",
    "https://www.semanticscholar.org/paper/A-Consensus-Statement-on-the-Use-of-Ketamine-in-the-Sanacora-Frye/f3cc7c523eecc5af48d27af8fa959d131bf5f64c",
    confirmed=False,
)
KETALAR_LABEL_RECOVERY = source(
    "ketalar-label-recovery",
    "Ketalar (ketamine HCl) label: an outpatient is not released until recovery is complete, "
    "and leaves accompanied by a responsible adult",
    "https://fda.report/DailyMed/14e8f864-8b8a-4e7e-8439-e510d3107063",
)

# --- Forecast (sessions to response) -------------------------------------------------------
# (Oliver 2022, Hull 2022 and the early-improvement studies are reused from the blocks above)

FORECAST_PRIORS_DERIVED = source(
    "forecast-priors-derived",
    "DERIVED: per-session response hazards fitted on the synthetic cohort generator calibrated "
    "to Oliver 2022 (PHQ-9 response 50% after 6, 72% after 10 IV infusions), Hull 2022 (GAD-7 "
    "response 62.9% after 4 sublingual sessions), Hietamies 2023 and the early-improvement "
    "studies (docs/simulation.md, docs/forecast.md); covariate effects beyond those figures "
    "are the generator's assumptions — a prescriber must confirm before relying on them",
    None,
    confirmed=False,
)
