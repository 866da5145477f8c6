"""Referrals in over FHIR R4: the translation between FHIR resources and the referral's plain
values, and nothing else (no HTTP, no database writes).

- `questionnaire`: the published referral Questionnaire, whose linkIds are the question names
  of `pathway.referrals.answers`, so a rule's problem names the item it is about;
- `bundle`: a posted transaction or message Bundle read into `ReferralAnswers`, or refused
  with problems that point at the offending element;
- `outcome`: the rules' problems, a red flag and an exclusion as OperationOutcomes.

The endpoint calls `read_referral_bundle`, fills in the practice and service rows it finds
by code, calls `record_referral`, and answers with these OperationOutcomes.

The models are `fhir.resources.R4B`: R4B is wire-compatible with R4 for every resource used
here (Bundle, Patient, ServiceRequest, Questionnaire, QuestionnaireResponse, PractitionerRole,
OperationOutcome).
"""
