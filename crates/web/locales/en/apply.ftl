# Applying for assessed support: the public form and the confirmation (crates/web/src/apply.rs).

apply-title = Apply for support
apply-lead = Here you apply for support that { $kommun } decides on after an assessment, for example respite, respite care or day activities. Applying is free of charge.
apply-talk-first = Would you rather talk to someone first?
apply-talk-first-link = Ask for a call with a carer support officer
apply-required-note = Fill in your name and personnummer (personal identity number), choose what you apply for and tick the consent box at the bottom. Everything else is optional.
apply-about-you = About you
apply-field-name = Your first and last name
apply-name-hint = Write both your first name and your last name.
apply-field-personnummer = Your personnummer (personal identity number)
apply-reach-legend = How can we reach you?
apply-reach-hint = Please fill in your phone number, email address or both. Then the case officer can reach you sooner. Otherwise you will get a letter.
apply-field-phone = Phone number
apply-field-email = Email address
apply-field-role = Who are you, applying?
apply-role-carer = I am a carer applying for support for myself
apply-role-care-recipient = I am the person who needs care and apply for myself
apply-role-guardian = I am a guardian, trustee or custodian applying for the person I represent
apply-field-recipient-name = Name of the person who needs care
apply-recipient-name-hint = For example the person you help or represent. Leave it empty if it is you.
apply-field-requested = What do you apply for?
apply-requested-hint = Choose one or more kinds of support. You can also write something else further down.
apply-requested-read-more = Read about the support
apply-requested-consent-hint = Some support, for example respite, is given to the person you help. Then the person you help needs to agree to it. You can apply anyway; the case officer will talk to you both about it.
apply-field-free-text = Something else
apply-free-text-hint = You can apply for support even if it is not in the list. Write briefly what you need.
apply-field-message = Tell us about your situation
apply-message-hint = What do you need help with, and why? It helps the case officer understand. No more than { $max } characters.
apply-field-consent = I agree that the municipality saves the details in the application so that it can assess it.
apply-consent-hint = Only staff who work with your application can see the details.
apply-submit = Send the application
apply-field-other = The application

apply-done-title = Thank you, we have received your application
apply-done-heading = Thank you, we have received your application
apply-done-reference-label = Your reference number:
apply-done-reference-help = Write the number down. Mention it when you are in touch with the municipality about the application.
apply-done-next-heading = What happens next?
apply-done-step-contact = A case officer (biståndshandläggare) at the municipality will contact you.
apply-done-step-investigation = The case officer investigates the application. You talk about your situation and what you need. Before the municipality decides, you get to see what has come in and say what you think.
apply-done-step-decision = You get a written decision. It says what the municipality has decided and why.
apply-done-step-appeal = If you are not satisfied with the decision, you can appeal. The appeal must reach the municipality within three weeks of the day you received the decision. The decision tells you how.
apply-done-appeal-link = If you are not satisfied
apply-done-consent-heading = The person who needs care must agree
apply-done-consent-text = Some of what you applied for, for example respite or short stays, is given to the person you help. So that person needs to agree to the support, themselves or through the person who represents them. The case officer will talk to you both about it.
apply-done-officers-heading = Questions? Call a case officer

apply-entry-link = Apply for this support
apply-overview-link = Apply for support

apply-summary-consent = Consent
apply-error-consent = Tick the consent box. Without your consent we cannot take the application here.
