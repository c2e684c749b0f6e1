# Anhörigstöd (carer support) – user interface text in English. Swedish is the first language;
# this English file must have exactly the same messages as the Swedish one (a test checks this).

site-name = Anhörigstöd (carer support)
skip-to-content = Skip to main content
search-label = Search
search-button = Search
search-site-label = Search the site
search-page-form-label = Search for support
nav-label = Carer support in the municipality
nav-overview = Overview
nav-support = Types of support
nav-who = Who can get support?
nav-young = Young carers
nav-economic = Financial support
nav-contact = Contact
nav-request = Ask for a call
breadcrumbs-label = You are here
crumb-start = Home
footer-not-satisfied = If you are not satisfied
footer-faq = Questions and answers
footer-privacy = How we handle personal data
footer-accessibility = Accessibility
footer-national = Support across Sweden
footer-choose = Choose a municipality
footer-cookies = This website does not use cookies for statistics or tracking, only those it needs in order to work.

error-back-start = Go to the home page
error-internal-title = Something went wrong
error-internal-text = Something went wrong on our side. What you wrote has not been sent. Please try again in a while, or call the municipality's switchboard.
error-not-found-title = Page not found
error-not-found-text = We cannot find the page you are looking for. It may have moved, or the address may be misspelt.

start-title = Support for you if you help someone close to you
start-heading = Support for you if you help someone close to you
start-lead = Do you help someone close to you who is ill, elderly or has a disability? Then you can get support from your municipality. Choose your municipality to see what support is available there.
start-choose-heading = Choose your municipality
start-choose-label = Municipality
start-choose-button = Show support in the municipality
start-search-heading = Search for support
start-search-help = You can also search in your own words, for example “respite”, “dementia” or “money”.
start-search-link = Go to search
start-national-heading = Prefer not to choose a municipality?
start-national-text = Read about support that applies across Sweden: benefits from Försäkringskassan (the Social Insurance Agency) and organisations that support carers.
start-national-link = Support across Sweden
start-all-heading = All municipalities, county by county

national-title = Support across Sweden
national-lead = Some support is the same wherever you live. Here you will find what applies throughout Sweden.
national-who-heading = Who can get support?
national-who-text = If you help or care for someone close to you, you may be entitled to support. It could be a partner, a parent, a child, a relative, a friend or a neighbour. You do not need to live together.
national-who-link = Read more about who can get support
national-support-heading = Support from the municipality
national-support-text = Every municipality must offer support to carers, but the support varies. Choose your municipality to see what is available where you live.
national-choose-link = Choose a municipality
national-benefits-heading = Benefits from Försäkringskassan (the Social Insurance Agency)
national-organisations-heading = Organisations that support carers
national-young-heading = Children and young people as carers
national-young-text = Children and young people should not have to look after a parent or a brother or sister who is ill. They have the right to support of their own.
national-young-link = Read more for young carers

generic-municipality = your municipality
generic-board = the social welfare committee

search-title = Search
search-title-for = Search: { $query }
search-page-label = What are you looking for?
search-page-hint = Use your own words, for example “rest”, “support group” or “money”.
search-in-kommun = You are searching in { $kommun }.
search-choose-other = Search in another municipality
search-results-count = Results: { $count }
search-no-hits = We did not find anything that matches. Try another word, or ask for a call and we will help you.
search-national-note = You are searching the whole country: municipalities, benefits and organisations. Type the name of your municipality to find its support.
search-need-kommun = We cannot find a municipality with that code. Choose a municipality on the start page.
search-hit-municipality = Carer support in { $kommun }
search-hit-municipality-summary = Municipality in { $region }

overview-title = Carer support in { $kommun }
overview-heading = Carer support in { $kommun }
demo-banner = This is a demo municipality. All people and details here are made up.
overview-lead = The municipality offers support if you help or care for someone close to you. The support is based on your situation and what you yourself need.
overview-cta = Ask for a call
overview-right-to-apply = You always have the right to apply for support for yourself.
overview-sections-heading = Find what you need
overview-card-support = Conversations, support groups, respite care and other support.
overview-card-who = Carers of all ages can get support, even if you do not live together.
overview-card-young = For you if you are under 18 and someone in your family is ill.
overview-card-economic = Payments from the municipality and from Försäkringskassan (the Social Insurance Agency).
overview-card-contact = Carer support officer, needs assessment officer and switchboard.
overview-card-complaints = How to give feedback or appeal a decision.
overview-card-faq = Answers to common questions.
overview-officers-heading = Carer support officer
overview-no-officers = The municipality has not added any contact people here yet. Call the municipality's switchboard and ask to speak to someone about support for carers.

contact-phone = Phone
contact-email = Email
contact-switchboard = Switchboard

support-title = Types of support
support-lead = Some support you can get straight away, without applying. Other support you apply for, and the municipality first assesses what you need.
on-this-page = On this page

track-open = Support without applying
track-open-intro = You can get this support without applying and without the municipality assessing your needs. Contact the carer support officer.
track-assessed_sol = Support after applying (Social Services Act)
track-assessed_sol-intro = You or the person you care for apply for this support. A needs assessment officer looks into the needs and makes a decision that you can appeal.
track-assessed_lss = Support after applying (LSS)
track-assessed_lss-intro = Services under LSS, the Act concerning Support and Service for Persons with Certain Functional Impairments. They often give carers a break. The person themselves, or a representative, applies.
track-national = Benefits from Försäkringskassan (the Social Insurance Agency)
track-national-intro = Försäkringskassan (the Social Insurance Agency) decides on these benefits, not the municipality.
track-organisation = Organisations and representatives
track-organisation-intro = Associations, helplines and representatives who can give advice and support.

audience-carer = You as a carer
audience-care_recipient = The person you care for
audience-young_carer = Children and young people who are carers

entry-section-about = About the support
entry-section-who = Who the support is for
entry-section-apply = How to get the support
entry-section-cost = Cost
entry-section-basis = Decisions and rules
entry-rules-heading = Rules and amounts
entry-base-amount = The amounts are based on the prisbasbelopp (price base amount), which this year is { $amount }.
entry-consent-required = The person you care for needs to agree to the support and give their consent.
entry-who-applies = Who applies?
entry-website = Website
entry-assessed-explained = The municipality assesses the need and makes a written decision. If you are refused, you can appeal to the förvaltningsrätt (administrative court).
entry-open-explained = The committee has decided that this support is given without an application and without an individual assessment.
entry-decision-ref = Committee decision:
entry-conditions = Conditions:
entry-legal = Legal basis:
provenance-heading = About the content
provenance-updated = Last updated
provenance-editor = Editor
provenance-reviewer = Reviewer
print-note = You are only seeing the parts you chose to print. Use your browser's print function.
print-show-all = Show the whole page
print-summary = Print parts of the page
print-legend = Choose which parts you want to print
print-button = Show selected parts for printing

a11y-report-heading = Report a problem
a11y-report-text = If something on the website is difficult to use, or if you need the content in a different format, please contact the municipality.

economic-title = Financial support
economic-municipal-heading = Payments from the municipality
economic-municipal-none = The municipality has no payment of its own for carers in its catalogue. Ask the carer support officer what applies.
economic-national-heading = Benefits from Försäkringskassan (the Social Insurance Agency)
economic-national-intro = Försäkringskassan (the Social Insurance Agency) decides on these benefits. The amounts apply this year.

contact-title = Contact
contact-municipality-heading = { $kommun } Municipality
contact-board = Responsible committee
contact-address = Visiting address
contact-hours = Opening hours
contact-not-configured = The municipality has not added its contact details here yet. You can find them on the municipality's own website.
contact-people-heading = People to contact
contact-complaints-heading = Feedback and complaints
contact-complaints-text = If you are not satisfied with the support, you can contact these.
contact-kind-administration = The administration
contact-kind-board-politicians = The politicians on the committee
contact-kind-elderly-ombudsman = Ombudsman for older people
contact-kind-patient-ombudsman = Patients' advisory committee or patient ombudsman
contact-kind-carer-support-officer = Carer support officer
contact-kind-case-officer-intake = Needs assessment officer

done-title = Thank you, we have received your request
done-heading = Thank you, we have received your request
done-reference-label = Your reference number:
done-reference-help = Write the number down. Mention it if you call us, so that we can find your request.
done-next-heading = What happens next?
done-next-text = A carer support officer will contact you, usually within a few working days. If you chose to stay anonymous, we will not contact you: call us and give your reference number.
done-young-heading = If you are under 18
done-young-text = You should not have to take responsibility for caring for someone. There is support for you, and you can talk to someone without your parents being there.
done-officers-heading = You can also call directly
done-back = Back to carer support

form-title = Ask for a call
form-title-with-errors = Error in the form: { $title }
form-lead = Tell us briefly about your situation, and a carer support officer in { $kommun } will get in touch. The call is free of charge.
error-summary-title = Something needs correcting
error-prefix = Error:
form-required-note = You only need to fill in how we can reach you and tick the consent box at the bottom. Everything else is optional.
form-about-you = About you
form-anonymous-hint = Then we will not save your name or personnummer (personal identity number). You will get a reference number to give when you call us.
form-optional = (optional)
form-reach-legend = How can we reach you?
form-reach-hint = Fill in your phone number, email address or both. If you are anonymous, neither is needed.
form-personnummer-hint = Personnummer (personal identity number) or samordningsnummer (coordination number), for example 19450312-1234.
form-choose = Choose
form-choose-any = Choose as many as apply.
form-carer-age-hint = If you are under 18, there is special support for you.
form-message-hint = Tell us in your own words. No more than { $max } characters.
form-consent-hint = We save the details so that we can give you support. Only staff who need them can see them.
form-submit = Send

field-anonymous = I want to stay anonymous
field-name = Your name
field-phone = Phone number
field-email = Email address
field-personnummer = Your personnummer (personal identity number)
field-relation = Who do you help?
field-recipient-age-group = How old is the person you care for?
field-recipient-conditions = What is the situation of the person you care for?
field-carer-age-group = How old are you?
field-wants = What would you like help with?
field-message = Anything else you would like to tell us?
field-preferred-time = When is the best time for us to contact you?
field-consent = I consent to the municipality saving my details so that it can give me support.

relation-partner = My partner
relation-parent = My parent
relation-child = My child
relation-sibling = My brother or sister
relation-relative = A relative
relation-friend = A friend
relation-neighbour = A neighbour
relation-other = Someone else

age-under-18 = Under 18
age-18-64 = 18–64
age-65-79 = 65–79
age-80-plus = 80 or over

condition-long-term-illness = Long-term illness
condition-disability = Disability
condition-dementia = Dementia or memory problems
condition-mental-illness = Mental health problems
condition-addiction = Dependency or substance misuse
condition-ageing = Old age
condition-other = Something else

want-talk = Talking to someone
want-group = Meeting others in the same situation
want-respite = Respite care, so that I can rest
want-economic = Financial support
want-information = Information about what is available

time-morning = Morning
time-afternoon = Afternoon
time-evening = Evening
time-any = It does not matter

error-too-long = The text is too long.
error-control-characters = The text contains characters that cannot be saved.
error-phone = Write the phone number in digits, for example 070-123 45 67.
error-email = Write the email address like this: name@example.com
error-reach-needed = Fill in a phone number or email address so that we can reach you. If you want to stay anonymous, tick that box.
error-unknown-choice = Choose one of the options.
error-consent = You need to give your consent so that we can save your request.
error-type-string = The value must be text.
error-type-bool = The value must be true or false.
error-type-list = The value must be a list of text.
error-form-too-large = What you sent was too large. Shorten the text and try again.
error-form-unreadable = What you sent could not be read. Please try again.

pnr-error-empty = Fill in the personnummer (personal identity number).
pnr-error-characters = The personnummer may only contain digits and a hyphen or plus sign.
pnr-error-length = The personnummer must have 10 or 12 digits, for example 19450312-1234.
pnr-error-date = The date in the personnummer does not exist. Check the year, month and day.
pnr-error-future = The date in the personnummer has not happened yet.
pnr-error-checksum = The personnummer is not valid. Check that all the digits are correct.

api-unknown-municipality = There is no municipality with that code here.
api-content-type = Send JSON with Content-Type: application/json.
api-too-large = The request is too large.
api-bad-body = The request could not be read.
api-malformed-json = The request is not valid JSON: { $detail }
api-not-object = The request must be a JSON object.

# Staff workspace

staff-site-name = Anhörigstöd – staff
staff-nav-label = Workspace
staff-back = Back to the workspace
staff-error-internal-text = Something went wrong on our side. Nothing has been changed. Please try again shortly.
signout-button = Sign out
signout-everywhere-button = Sign out on all devices
error-csrf-title = The form has expired
error-csrf = The form has expired or did not come from this page. Reload the page and try again.
forbidden-title = You do not have access
forbidden-text = Your role does not give access to this part. Contact your administrator if you need it.
role-carer-support-officer = carer support officer
role-case-officer = case officer
role-unit-manager = unit manager
role-municipal-admin = municipal administrator
role-system-admin = system administrator

signin-title = Sign in
signin-signed-out = You are signed out.
signin-email = E-mail address
signin-password = Password
signin-button = Sign in
signin-help = Forgotten your password? Contact the municipality's administrator.
signin-error-email-missing = Enter your e-mail address.
signin-error-password-missing = Enter your password.
signin-error-wrong = Wrong e-mail address or password.
signin-error-too-many = Too many failed attempts. Wait 15 minutes and try again.

code-title = Enter code
code-lead = Open your one-time code app and enter the code shown for Anhörigstöd. If you do not have your phone, you can use one of your recovery codes.
code-label = Code
code-hint = Six digits, or a recovery code.
code-button = Continue
code-error-wrong = The code is not right. Check it and try again.

enrol-title = Turn on two-step sign-in
enrol-lead = Your role gives access to information about individuals, so you need to sign in in two steps.
enrol-step-app = Install a one-time code app on your phone, if you do not have one already.
enrol-step-scan = Scan the QR code with the app, or type the key in by hand.
enrol-qr-label = QR code for the one-time code app
enrol-secret-label = Key:
enrol-step-code = Enter the code the app shows.
enrol-button = Turn on

recovery-title = Your recovery codes
recovery-lead = Keep these codes somewhere safe. Each code can be used once if you do not have your phone. They are only shown now.
recovery-continue = Continue to the inbox

inbox-title = Inbox
inbox-filters = Filter the inbox
inbox-show = Show
inbox-show-all = All
inbox-show-mine = Mine
inbox-show-unassigned = Not taken by anyone
inbox-order = Order
inbox-order-oldest = Oldest first
inbox-order-newest = Newest first
inbox-young-only = Young carers only
inbox-apply = Show
inbox-empty = The inbox is empty.
inbox-col-reference = Reference
inbox-col-received = Received
inbox-col-who = Who
inbox-col-wants = Wants
inbox-col-flags = Flags
inbox-col-holder = Handled by
inbox-age-days = { $days } days
inbox-nobody = Nobody
inbox-next = Next page
inbox-anonymous = Anonymous
inbox-no-name = No name given
flag-young-carer = Young carer
flag-child = Child involved

item-title = Request { $reference }
item-back = Back to the inbox
item-demo = Made-up request in the demo municipality.
item-child-note = A child is involved. Consider the child's need for support, and the duty to report concern.
item-assign-heading = Who handles this request?
item-take = Take the request
item-give-to = Give to
item-give-button = Save

password-error-short = The password needs at least 12 characters.
password-error-long = The password may have at most 256 characters.
password-error-common = The password is too common or too easy to guess. Choose another, a sentence works well.
password-error-email = The password may not contain your e-mail address.
