# Anhörigstöd – användargränssnittets texter på svenska. Svenska är förstaspråk;
# den engelska filen ska ha exakt samma meddelanden (ett test kontrollerar det).

site-name = Anhörigstöd
skip-to-content = Till sidans innehåll
search-label = Sök
search-button = Sök
search-site-label = Sök på webbplatsen
search-page-form-label = Sök efter stöd
nav-label = Anhörigstöd i kommunen
nav-overview = Översikt
nav-support = Former av stöd
nav-who = Vem kan få stöd?
nav-young = Unga anhöriga
nav-economic = Ekonomiskt stöd
nav-contact = Kontakt
nav-request = Be om ett samtal
breadcrumbs-label = Du är här
crumb-start = Start
footer-not-satisfied = Om du inte är nöjd
footer-faq = Frågor och svar
footer-privacy = Så hanterar vi personuppgifter
footer-accessibility = Tillgänglighet
footer-national = Stöd i hela landet
footer-choose = Välj kommun
footer-cookies = Webbplatsen använder inga kakor för statistik eller spårning, bara det som behövs för att den ska fungera.

error-back-start = Till startsidan
error-internal-title = Något gick fel
error-internal-text = Något gick fel hos oss. Det du skrev har inte skickats. Försök igen om en stund, eller ring kommunens växel.
error-not-found-title = Sidan finns inte
error-not-found-text = Vi hittar inte sidan du söker. Den kan ha flyttats, eller så är adressen felskriven.

start-title = Stöd till dig som hjälper en närstående
start-heading = Stöd till dig som hjälper en närstående
start-lead = Hjälper du någon i din närhet som är sjuk, äldre eller har en funktionsnedsättning? Då kan du få stöd från din kommun. Välj kommun för att se vilket stöd som finns där.
start-choose-heading = Välj din kommun
start-choose-label = Kommun
start-choose-button = Visa stödet i kommunen
start-search-heading = Sök efter stöd
start-search-help = Du kan också söka med dina egna ord, till exempel ”avlastning”, ”demens” eller ”pengar”.
start-search-link = Gå till sökningen
start-national-heading = Vill du inte välja kommun?
start-national-text = Läs om stöd som gäller i hela landet: ersättningar från Försäkringskassan och organisationer som stöttar anhöriga.
start-national-link = Stöd i hela landet
start-all-heading = Alla kommuner, län för län

national-title = Stöd i hela landet
national-lead = En del stöd är detsamma var du än bor. Här finns det som gäller i hela Sverige.
national-who-heading = Vem kan få stöd?
national-who-text = Du som hjälper eller vårdar en närstående kan ha rätt till stöd. Det kan vara en partner, en förälder, ett barn, en släkting, en vän eller en granne. Ni behöver inte bo tillsammans.
national-who-link = Läs mer om vem som kan få stöd
national-support-heading = Stöd från kommunen
national-support-text = Varje kommun ska erbjuda stöd till anhöriga, men stödet ser olika ut. Välj din kommun för att se vad som finns där du bor.
national-choose-link = Välj kommun
national-benefits-heading = Ersättningar från Försäkringskassan
national-organisations-heading = Organisationer som stöttar anhöriga
national-young-heading = Barn och unga som anhöriga
national-young-text = Barn och unga ska inte behöva ta hand om en sjuk förälder eller ett sjukt syskon. De har rätt till eget stöd.
national-young-link = Läs mer för unga anhöriga

generic-municipality = din kommun
generic-board = socialnämnden

search-title = Sök
search-title-for = Sök: { $query }
search-page-label = Vad söker du?
search-page-hint = Skriv med dina egna ord, till exempel ”vila”, ”stödgrupp” eller ”pengar”.
search-in-kommun = Du söker i { $kommun }.
search-choose-other = Sök i en annan kommun
search-results-count = Träffar: { $count }
search-no-hits = Vi hittade inget som passar. Försök med ett annat ord, eller be om ett samtal så hjälper vi dig.
search-national-note = Du söker i hela landet: kommuner, ersättningar och organisationer. Skriv namnet på din kommun för att hitta dess stöd.
search-need-kommun = Vi hittar ingen kommun med den koden. Välj kommun på startsidan.
search-hit-municipality = Anhörigstöd i { $kommun }
search-hit-municipality-summary = Kommun i { $region }

overview-title = Anhörigstöd i { $kommun }
overview-heading = Anhörigstöd i { $kommun }
demo-banner = Det här är en demokommun. Alla personer och uppgifter här är påhittade.
overview-lead = Kommunen har stöd för dig som hjälper eller vårdar en närstående. Stödet utgår från din situation och vad du själv behöver.
overview-cta = Be om ett samtal
overview-right-to-apply = Du har alltid rätt att ansöka om stöd för din egen del.
overview-sections-heading = Hitta rätt
overview-card-support = Samtal, stödgrupper, avlösning och annat stöd.
overview-card-who = Anhöriga i alla åldrar kan få stöd, även om ni inte bor ihop.
overview-card-young = För dig som är under 18 och har någon sjuk i familjen.
overview-card-economic = Kommunens och Försäkringskassans ersättningar.
overview-card-contact = Anhörigkonsulent, biståndshandläggare och växel.
overview-card-complaints = Så lämnar du synpunkter eller överklagar ett beslut.
overview-card-faq = Svar på det många undrar.
overview-officers-heading = Anhörigkonsulent
overview-no-officers = Kommunen har inte lagt in några kontaktpersoner här än. Ring kommunens växel och be att få prata med någon om stöd till anhöriga.

contact-phone = Telefon
contact-email = E-post
contact-switchboard = Växel

support-title = Former av stöd
support-lead = En del stöd kan du få direkt, utan att ansöka. Annat stöd ansöker du om, och då utreder kommunen först vad du behöver.
on-this-page = På sidan

track-open = Stöd utan ansökan
track-open-intro = Det här stödet kan du få utan att ansöka och utan att kommunen prövar dina behov. Kontakta anhörigkonsulenten.
track-assessed_sol = Stöd efter ansökan (socialtjänstlagen)
track-assessed_sol-intro = Det här stödet ansöker du eller din närstående om. En biståndshandläggare utreder behoven och fattar ett beslut som du kan överklaga.
track-assessed_lss = Stöd efter ansökan (LSS)
track-assessed_lss-intro = Insatser enligt lagen om stöd och service till vissa funktionshindrade. De avlastar ofta anhöriga. Personen själv, eller en företrädare, ansöker.
track-national = Ersättningar från Försäkringskassan
track-national-intro = Försäkringskassan beslutar om de här ersättningarna, inte kommunen.
track-organisation = Organisationer och ombud
track-organisation-intro = Föreningar, stödlinjer och ombud som kan ge råd och stöd.

audience-carer = Dig som är anhörig
audience-care_recipient = Din närstående
audience-young_carer = Barn och unga som är anhöriga

entry-section-about = Om stödet
entry-section-who = Vem stödet är för
entry-section-apply = Så får du stödet
entry-section-cost = Kostnad
entry-section-basis = Beslut och regler
entry-rules-heading = Regler och belopp
entry-base-amount = Beloppen räknas från prisbasbeloppet, som i år är { $amount }.
entry-consent-required = Din närstående behöver vara med på stödet och ge sitt samtycke.
entry-who-applies = Vem ansöker?
entry-website = Webbplats
entry-assessed-explained = Kommunen utreder behovet och fattar ett skriftligt beslut. Får du avslag kan du överklaga till förvaltningsrätten.
entry-open-explained = Nämnden har beslutat att stödet ges utan ansökan och utan individuell prövning.
entry-decision-ref = Nämndens beslut:
entry-conditions = Villkor:
entry-legal = Lagstöd:
provenance-heading = Om innehållet
provenance-updated = Senast uppdaterad
provenance-editor = Redaktör
provenance-reviewer = Granskare
print-note = Du ser bara de delar du valde att skriva ut. Använd webbläsarens utskrift.
print-show-all = Visa hela sidan
print-summary = Skriv ut delar av sidan
print-legend = Välj vilka delar du vill skriva ut
print-button = Visa valda delar för utskrift

a11y-report-heading = Rapportera ett problem
a11y-report-text = Om något på webbplatsen är svårt att använda, eller om du behöver innehållet i en annan form, hör av dig till kommunen.

economic-title = Ekonomiskt stöd
economic-municipal-heading = Kommunens ersättning
economic-municipal-none = Kommunen har ingen egen ersättning till anhöriga i sin katalog. Fråga anhörigkonsulenten om vad som gäller.
economic-national-heading = Ersättningar från Försäkringskassan
economic-national-intro = Försäkringskassan beslutar om de här ersättningarna. Beloppen gäller i år.

contact-title = Kontakt
contact-municipality-heading = { $kommun } kommun
contact-board = Ansvarig nämnd
contact-address = Besöksadress
contact-hours = Öppettider
contact-not-configured = Kommunen har inte lagt in sina kontaktuppgifter här än. Du hittar dem på kommunens egen webbplats.
contact-people-heading = Personer att kontakta
contact-complaints-heading = Synpunkter och klagomål
contact-complaints-text = Är du inte nöjd med stödet kan du vända dig hit.
contact-kind-administration = Förvaltningen
contact-kind-board-politicians = Politikerna i nämnden
contact-kind-elderly-ombudsman = Äldreombudsman
contact-kind-patient-ombudsman = Patientnämnd eller patientombudsman
contact-kind-carer-support-officer = Anhörigkonsulent
contact-kind-case-officer-intake = Biståndshandläggare

done-title = Tack, vi har tagit emot din förfrågan
done-heading = Tack, vi har tagit emot din förfrågan
done-reference-label = Ditt referensnummer:
done-reference-help = Skriv upp numret. Nämn det om du ringer oss, så hittar vi din förfrågan.
done-next-heading = Vad händer nu?
done-next-text = En anhörigkonsulent hör av sig till dig, oftast inom några arbetsdagar. Om du valde att vara anonym hör vi inte av oss: ring oss och uppge referensnumret.
done-young-heading = Till dig som är under 18
done-young-text = Du ska inte behöva ta ansvar för att vårda någon. Det finns stöd för dig, och du kan prata med någon utan att dina föräldrar är med.
done-officers-heading = Du kan också ringa direkt
done-back = Tillbaka till anhörigstödet

form-title = Be om ett samtal
form-title-with-errors = Fel i formuläret: { $title }
form-lead = Berätta kort om din situation, så hör en anhörigkonsulent i { $kommun } av sig. Samtalet är kostnadsfritt.
error-summary-title = Något behöver rättas
error-prefix = Fel:
form-required-note = Du behöver bara fylla i hur vi når dig och kryssa i rutan om samtycke längst ner. Resten är frivilligt.
form-about-you = Om dig
form-anonymous-hint = Då sparar vi inte ditt namn eller personnummer. Du får ett referensnummer som du uppger när du ringer oss.
form-optional = (frivilligt)
form-reach-legend = Hur når vi dig?
form-reach-hint = Fyll i telefon, e-post eller båda. Om du är anonym behövs inget av dem.
form-personnummer-hint = Personnummer eller samordningsnummer, till exempel 19450312-1234.
form-choose = Välj
form-choose-any = Välj så många som passar.
form-carer-age-hint = Är du under 18 finns det särskilt stöd för dig.
form-message-hint = Berätta med egna ord. Högst { $max } tecken.
form-consent-hint = Vi sparar uppgifterna för att kunna ge dig stöd. Bara personal som behöver dem ser dem.
form-submit = Skicka

field-anonymous = Jag vill vara anonym
field-name = Ditt namn
field-phone = Telefonnummer
field-email = E-postadress
field-personnummer = Ditt personnummer
field-relation = Vem hjälper du?
field-recipient-age-group = Hur gammal är din närstående?
field-recipient-conditions = Vad gäller det för din närstående?
field-carer-age-group = Hur gammal är du?
field-wants = Vad vill du ha hjälp med?
field-message = Något mer du vill berätta?
field-preferred-time = När passar det bäst att vi hör av oss?
field-consent = Jag samtycker till att kommunen sparar mina uppgifter för att kunna ge mig stöd.

relation-partner = Min partner
relation-parent = Min förälder
relation-child = Mitt barn
relation-sibling = Mitt syskon
relation-relative = En släkting
relation-friend = En vän
relation-neighbour = En granne
relation-other = Någon annan

age-under-18 = Under 18 år
age-18-64 = 18–64 år
age-65-79 = 65–79 år
age-80-plus = 80 år eller äldre

condition-long-term-illness = Långvarig sjukdom
condition-disability = Funktionsnedsättning
condition-dementia = Demenssjukdom eller minnesproblem
condition-mental-illness = Psykisk ohälsa
condition-addiction = Beroende eller missbruk
condition-ageing = Hög ålder
condition-other = Något annat

want-talk = Prata med någon
want-group = Träffa andra i samma situation
want-respite = Avlösning, så att jag får vila
want-economic = Ekonomiskt stöd
want-information = Information om vad som finns

time-morning = Förmiddag
time-afternoon = Eftermiddag
time-evening = Kväll
time-any = Det spelar ingen roll

error-too-long = Texten är för lång.
error-control-characters = Texten innehåller tecken som inte går att spara.
error-phone = Skriv telefonnumret med siffror, till exempel 070-123 45 67.
error-email = Skriv e-postadressen så här: namn@exempel.se
error-reach-needed = Fyll i telefonnummer eller e-post, så att vi kan nå dig. Vill du vara anonym, kryssa i den rutan.
error-unknown-choice = Välj ett av alternativen.
error-consent = Du behöver samtycka för att vi ska kunna spara din förfrågan.
error-type-string = Värdet ska vara text.
error-type-bool = Värdet ska vara true eller false.
error-type-list = Värdet ska vara en lista med text.
error-form-too-large = Det du skickade var för stort. Korta ner texten och försök igen.
error-form-unreadable = Det du skickade gick inte att läsa. Försök igen.

pnr-error-empty = Fyll i personnumret.
pnr-error-characters = Personnumret får bara innehålla siffror och ett bindestreck eller plustecken.
pnr-error-length = Personnumret ska ha 10 eller 12 siffror, till exempel 19450312-1234.
pnr-error-date = Datumet i personnumret finns inte. Kontrollera år, månad och dag.
pnr-error-future = Datumet i personnumret har inte varit än.
pnr-error-checksum = Personnumret stämmer inte. Kontrollera att alla siffror är rätt.

api-unknown-municipality = Det finns ingen kommun med den koden här.
api-content-type = Skicka JSON med Content-Type: application/json.
api-too-large = Förfrågan är för stor.
api-bad-body = Förfrågan gick inte att läsa.
api-malformed-json = Förfrågan är inte giltig JSON: { $detail }
api-not-object = Förfrågan ska vara ett JSON-objekt.

# Personalens arbetsyta

staff-site-name = Anhörigstöd – personal
staff-nav-label = Arbetsytan
staff-back = Till arbetsytan
staff-error-internal-text = Något gick fel hos oss. Ingenting har ändrats. Försök igen om en stund.
signout-button = Logga ut
signout-everywhere-button = Logga ut på alla enheter
error-csrf-title = Formuläret har gått ut
error-csrf = Formuläret har gått ut eller kom inte från den här sidan. Ladda om sidan och försök igen.
forbidden-title = Du saknar behörighet
forbidden-text = Din roll ger inte tillgång till den här delen. Kontakta din administratör om du behöver den.
role-carer-support-officer = anhörigkonsulent
role-case-officer = biståndshandläggare
role-unit-manager = enhetschef
role-municipal-admin = kommunadministratör
role-system-admin = systemadministratör

signin-title = Logga in
signin-signed-out = Du är utloggad.
signin-email = E-postadress
signin-password = Lösenord
signin-button = Logga in
signin-help = Har du glömt lösenordet? Kontakta kommunens administratör.
signin-error-email-missing = Fyll i din e-postadress.
signin-error-password-missing = Fyll i ditt lösenord.
signin-error-wrong = Fel e-postadress eller lösenord.
signin-error-too-many = För många misslyckade försök. Vänta 15 minuter och försök igen.

code-title = Ange kod
code-lead = Öppna appen för engångskoder och skriv in den kod som visas för Anhörigstöd. Har du inte telefonen kan du använda en av dina reservkoder.
code-label = Kod
code-hint = Sex siffror, eller en reservkod.
code-button = Fortsätt
code-error-wrong = Koden stämmer inte. Kontrollera den och försök igen.

enrol-title = Aktivera inloggning i två steg
enrol-lead = Din roll ger tillgång till uppgifter om enskilda personer. Därför behöver du logga in i två steg.
enrol-step-app = Installera en app för engångskoder i din telefon, om du inte redan har en.
enrol-step-scan = Skanna QR-koden med appen, eller skriv in nyckeln för hand.
enrol-qr-label = QR-kod för appen för engångskoder
enrol-secret-label = Nyckel:
enrol-step-code = Skriv in koden som appen visar.
enrol-button = Aktivera

recovery-title = Dina reservkoder
recovery-lead = Spara koderna på ett säkert ställe. Varje kod kan användas en gång om du inte har telefonen. De visas bara nu.
recovery-continue = Fortsätt till inkorgen

inbox-title = Inkorg
inbox-filters = Filtrera inkorgen
inbox-show = Visa
inbox-show-all = Alla
inbox-show-mine = Mina
inbox-show-unassigned = Ingen har tagit
inbox-order = Ordning
inbox-order-oldest = Äldst först
inbox-order-newest = Nyast först
inbox-young-only = Bara unga anhöriga
inbox-apply = Visa
inbox-empty = Inkorgen är tom.
inbox-col-reference = Referens
inbox-col-received = Inkom
inbox-col-who = Vem
inbox-col-wants = Vill ha
inbox-col-flags = Märkning
inbox-col-holder = Hanteras av
inbox-age-days = { $days } dagar
inbox-nobody = Ingen
inbox-next = Nästa sida
inbox-anonymous = Anonym
inbox-no-name = Namn saknas
flag-young-carer = Ung anhörig
flag-child = Barn berörs

item-title = Förfrågan { $reference }
item-back = Tillbaka till inkorgen
item-demo = Påhittad förfrågan i demokommunen.
item-child-note = Ett barn berörs. Tänk på barnets behov av stöd, och på skyldigheten att anmäla oro.
item-assign-heading = Vem hanterar förfrågan?
item-take = Ta förfrågan
item-give-to = Ge till
item-give-button = Spara

password-error-short = Lösenordet behöver ha minst 12 tecken.
password-error-long = Lösenordet får ha högst 256 tecken.
password-error-common = Lösenordet är för vanligt eller för lätt att gissa. Välj ett annat, gärna en mening.
password-error-email = Lösenordet får inte innehålla din e-postadress.
