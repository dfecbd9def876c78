/*
 * <offerte-form api="https://offerte.bureau.example" lang="nl"></offerte-form>
 *
 * A dependency-free web component that asks for an indicative price of a tweede-spoor
 * trajectory and sends the request to the bureau (POST /api/v1/quote-requests).
 *
 * - `api`: the service's base URL; default: where this script was loaded from.
 * - `lang`: `nl` (default) or `en`.
 * - Styling: CSS custom properties on the element or any ancestor, e.g.
 *     offerte-form { --offerte-accent: #0b5; --offerte-font: Georgia, serif; }
 *   --offerte-font, --offerte-text, --offerte-background, --offerte-accent,
 *   --offerte-accent-text, --offerte-border, --offerte-error, --offerte-radius, --offerte-gap.
 *
 * Nothing from the server or the user is ever inserted as HTML: every text goes in through
 * textContent or attributes.
 */
(function () {
  'use strict';

  if (window.customElements && window.customElements.get('offerte-form')) {
    return;
  }

  var SCRIPT_ORIGIN = (function () {
    try {
      return new URL(document.currentScript.src).origin;
    } catch (e) {
      return '';
    }
  })();

  var TEXT = {
    nl: {
      title: 'Offerte aanvragen',
      intro: 'Vul het formulier in voor een indicatie van de prijs van een tweede-spoortraject. Vermeld geen medische gegevens.',
      required: '(verplicht)',
      employer: 'Werkgever',
      company_name: 'Bedrijfsnaam',
      kvk_number: 'KvK-nummer',
      contact_person: 'Contactpersoon',
      email: 'E-mailadres',
      phone: 'Telefoonnummer',
      employee: 'Werknemer',
      reference: 'Uw referentie of initialen (geen BSN)',
      hours_per_week: 'Uren per week',
      job_title: 'Functie',
      situation: 'Situatie',
      first_sick_day: 'Eerste ziektedag',
      start_date: 'Gewenste startdatum',
      readiness: 'Hoe ver is de werknemer?',
      readiness_options: [
        ['job_ready', 'Klaar voor de arbeidsmarkt'],
        ['ready_with_support', 'Klaar, met begeleiding'],
        ['needs_time', 'Heeft nog tijd nodig'],
        ['needs_orientation', 'Moet zich eerst oriënteren']
      ],
      schooling: 'Scholing',
      schooling_options: [
        ['none', 'Geen'],
        ['training', 'Training'],
        ['retraining', 'Omscholing']
      ],
      intensity: 'Begeleiding',
      intensity_options: [
        ['light', 'Licht'],
        ['standard', 'Standaard'],
        ['intensive', 'Intensief']
      ],
      consent: 'Ik ga akkoord met de privacyverklaring: mijn gegevens worden alleen gebruikt om deze aanvraag te behandelen.',
      website: 'Laat dit veld leeg',
      submit: 'Indicatie aanvragen',
      sending: 'Bezig met versturen…',
      result_title: 'Indicatie',
      result_tier: function (name, months) { return name.indexOf(String(months)) >= 0 ? name : name + ' (' + months + ' maanden)'; },
      excl: 'excl. btw',
      incl: 'incl. btw',
      alternatives: 'Andere mogelijkheden',
      recommended: 'aanbevolen',
      indicative_note: 'Dit is een indicatie, geen offerte.',
      reference_label: 'Uw referentie: ',
      fix_fields: 'Controleer de gemarkeerde velden.',
      too_many: function (s) { return 'Te veel aanvragen. Probeer het over ' + s + ' seconden opnieuw.'; },
      failed: 'Versturen is niet gelukt. Probeer het later opnieuw.',
      errors: {
        kvk: 'Een KvK-nummer bestaat uit precies 8 cijfers.',
        phone: 'Gebruik 6 tot 20 cijfers, spaties, +, - en ().',
        email: 'Dit is geen geldig e-mailadres.',
        required: 'Dit veld is verplicht.',
        missing_field: 'Dit veld is verplicht.',
        consent_required: 'U moet akkoord gaan met de privacyverklaring.',
        bsn: 'Dit lijkt op een BSN; gebruik uw eigen referentie of initialen.',
        range: 'Deze waarde ligt buiten het toegestane bereik.',
        length: 'Deze tekst is te lang.'
      }
    },
    en: {
      title: 'Request a quote',
      intro: 'Fill in the form for an indicative price of a tweede-spoor trajectory. Do not include any medical details.',
      required: '(required)',
      employer: 'Employer',
      company_name: 'Company name',
      kvk_number: 'KvK number',
      contact_person: 'Contact person',
      email: 'E-mail address',
      phone: 'Phone number',
      employee: 'Employee',
      reference: 'Your reference or initials (no BSN)',
      hours_per_week: 'Hours per week',
      job_title: 'Job title',
      situation: 'Situation',
      first_sick_day: 'First day of sickness',
      start_date: 'Preferred start date',
      readiness: 'How ready is the employee?',
      readiness_options: [
        ['job_ready', 'Ready for the job market'],
        ['ready_with_support', 'Ready, with support'],
        ['needs_time', 'Needs more time'],
        ['needs_orientation', 'Needs orientation first']
      ],
      schooling: 'Schooling',
      schooling_options: [
        ['none', 'None'],
        ['training', 'Training'],
        ['retraining', 'Retraining']
      ],
      intensity: 'Guidance',
      intensity_options: [
        ['light', 'Light'],
        ['standard', 'Standard'],
        ['intensive', 'Intensive']
      ],
      consent: 'I accept the privacy statement: my details are used only to handle this request.',
      website: 'Leave this field empty',
      submit: 'Get an indication',
      sending: 'Sending…',
      result_title: 'Indication',
      result_tier: function (name, months) { return name.indexOf(String(months)) >= 0 ? name : name + ' (' + months + ' months)'; },
      excl: 'excl. VAT',
      incl: 'incl. VAT',
      alternatives: 'Other options',
      recommended: 'recommended',
      indicative_note: 'This is an indication, not a quote.',
      reference_label: 'Your reference: ',
      fix_fields: 'Please check the marked fields.',
      too_many: function (s) { return 'Too many requests. Please try again in ' + s + ' seconds.'; },
      failed: 'Sending failed. Please try again later.',
      errors: {}
    }
  };

  var STYLE = [
    ':host { display: block; font-family: var(--offerte-font, system-ui, sans-serif); color: var(--offerte-text, #1a1a1a);',
    '  background: var(--offerte-background, #fff); max-width: 40rem; }',
    'form { display: grid; gap: var(--offerte-gap, 0.9rem); }',
    'fieldset { border: 1px solid var(--offerte-border, #c8c8c8); border-radius: var(--offerte-radius, 6px); padding: 0.8rem 1rem; display: grid; gap: var(--offerte-gap, 0.9rem); }',
    'legend { font-weight: 600; padding: 0 0.3rem; }',
    '.field { display: grid; gap: 0.25rem; }',
    'label { font-weight: 500; }',
    '.hint { font-weight: 400; font-size: 0.85em; opacity: 0.8; }',
    'input, select { font: inherit; padding: 0.45rem 0.55rem; border: 1px solid var(--offerte-border, #8a8a8a); border-radius: var(--offerte-radius, 6px); background: #fff; color: inherit; }',
    // A date field's focus sits on its day, month and year parts and its calendar button, so
    // `:focus-visible` never matches the field itself: `:focus-within` draws it.
    'input:focus-visible, input[type="date"]:focus-within, select:focus-visible, button:focus-visible { outline: 3px solid var(--offerte-accent, #1f5fbf); outline-offset: 2px; }',
    'input[aria-invalid="true"], select[aria-invalid="true"] { border-color: var(--offerte-error, #b00020); border-width: 2px; }',
    '.error { color: var(--offerte-error, #b00020); font-size: 0.9em; }',
    '.error:empty { display: none; }',
    '.check { display: flex; gap: 0.5rem; align-items: flex-start; }',
    '.check input { margin-top: 0.25rem; }',
    '.trap { position: absolute; left: -10000px; width: 1px; height: 1px; overflow: hidden; }',
    'button { font: inherit; font-weight: 600; padding: 0.6rem 1rem; border: 0; border-radius: var(--offerte-radius, 6px);',
    '  background: var(--offerte-accent, #1f5fbf); color: var(--offerte-accent-text, #fff); cursor: pointer; justify-self: start; }',
    'button[disabled] { opacity: 0.6; cursor: wait; }',
    '.result { border-left: 4px solid var(--offerte-accent, #1f5fbf); padding: 0.2rem 1rem; }',
    '.result:empty { display: none; }',
    '.total { font-size: 1.3em; font-weight: 700; }',
    '.status { font-weight: 500; }',
    '.status:empty { display: none; }',
    'ul { padding-left: 1.2rem; margin: 0.3rem 0; }'
  ].join('\n');

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        node.setAttribute(name, attrs[name]);
      });
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  function money(amount, lang) {
    var value = Number(amount);
    if (!isFinite(value)) {
      return String(amount);
    }
    return new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'nl-NL', {
      style: 'currency',
      currency: 'EUR'
    }).format(value);
  }

  var counter = 0;

  class OfferteForm extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) {
        return;
      }
      counter += 1;
      this.uid = 'offerte-' + counter;
      this.language = (this.getAttribute('lang') || 'nl').toLowerCase().indexOf('en') === 0 ? 'en' : 'nl';
      this.t = TEXT[this.language];
      this.fields = {};
      var root = this.attachShadow({ mode: 'open' });
      root.appendChild(el('style', null, STYLE));
      this.render(root);
    }

    endpoint() {
      var base = this.getAttribute('api') || SCRIPT_ORIGIN || '';
      return base.replace(/\/+$/, '') + '/api/v1/quote-requests';
    }

    render(root) {
      var t = this.t;
      var form = el('form', { novalidate: '', 'aria-labelledby': this.uid + '-title' });
      form.appendChild(el('h2', { id: this.uid + '-title', part: 'title' }, t.title));
      form.appendChild(el('p', { part: 'intro' }, t.intro));

      var employer = this.fieldset(t.employer);
      this.input(employer, 'employer.company_name', t.company_name, { required: true, autocomplete: 'organization', maxlength: '200' });
      this.input(employer, 'employer.kvk_number', t.kvk_number, { inputmode: 'numeric', maxlength: '8' });
      this.input(employer, 'employer.contact_person', t.contact_person, { required: true, autocomplete: 'name', maxlength: '200' });
      this.input(employer, 'employer.email', t.email, { required: true, type: 'email', autocomplete: 'email', maxlength: '200' });
      this.input(employer, 'employer.phone', t.phone, { type: 'tel', autocomplete: 'tel', maxlength: '20' });
      form.appendChild(employer);

      var employee = this.fieldset(t.employee);
      this.input(employee, 'employee.reference', t.reference, { required: true, maxlength: '200' });
      this.input(employee, 'employee.hours_per_week', t.hours_per_week, { type: 'number', min: '1', max: '60', inputmode: 'numeric' });
      this.input(employee, 'employee.job_title', t.job_title, { maxlength: '200' });
      form.appendChild(employee);

      var situation = this.fieldset(t.situation);
      this.input(situation, 'circumstances.first_sick_day', t.first_sick_day, { required: true, type: 'date' });
      this.input(situation, 'circumstances.start_date', t.start_date, { type: 'date' });
      this.select(situation, 'circumstances.readiness', t.readiness, t.readiness_options, true);
      this.select(situation, 'circumstances.schooling', t.schooling, t.schooling_options, false, 'none');
      this.select(situation, 'circumstances.intensity', t.intensity, t.intensity_options, false, 'standard');
      form.appendChild(situation);

      // The honeypot: off-screen, out of the tab order, hidden from assistive technology.
      var trap = el('div', { class: 'trap', 'aria-hidden': 'true' });
      var trapId = this.uid + '-website';
      trap.appendChild(el('label', { for: trapId }, t.website));
      var trapInput = el('input', { id: trapId, name: 'website', type: 'text', tabindex: '-1', autocomplete: 'off' });
      trap.appendChild(trapInput);
      this.fields.website = trapInput;
      form.appendChild(trap);

      var consentWrap = el('div', { class: 'field' });
      var check = el('div', { class: 'check' });
      var consentId = this.uid + '-consent';
      var consent = el('input', { id: consentId, name: 'consent', type: 'checkbox', required: '', 'aria-describedby': consentId + '-error' });
      check.appendChild(consent);
      check.appendChild(el('label', { for: consentId }, t.consent));
      consentWrap.appendChild(check);
      var consentError = el('div', { id: consentId + '-error', class: 'error' });
      consentWrap.appendChild(consentError);
      this.fields.consent = consent;
      this.errorNodes = this.errorNodes || {};
      this.errorNodes.consent = consentError;
      form.appendChild(consentWrap);

      this.status = el('p', { class: 'status', role: 'alert' });
      form.appendChild(this.status);

      this.button = el('button', { type: 'submit', part: 'button' }, t.submit);
      form.appendChild(this.button);

      this.result = el('div', { class: 'result', 'aria-live': 'polite', 'aria-atomic': 'true', part: 'result' });
      form.appendChild(this.result);

      var self = this;
      form.addEventListener('submit', function (event) {
        event.preventDefault();
        self.send();
      });
      root.appendChild(form);
    }

    fieldset(legend) {
      var set = el('fieldset');
      set.appendChild(el('legend', null, legend));
      return set;
    }

    wrap(parent, name, label, required) {
      var id = this.uid + '-' + name.replace(/\./g, '-');
      var field = el('div', { class: 'field' });
      var labelNode = el('label', { for: id }, label + ' ');
      if (required) {
        labelNode.appendChild(el('span', { class: 'hint' }, this.t.required));
      }
      field.appendChild(labelNode);
      var error = el('div', { id: id + '-error', class: 'error' });
      this.errorNodes = this.errorNodes || {};
      this.errorNodes[name] = error;
      parent.appendChild(field);
      return { id: id, field: field, error: error };
    }

    input(parent, name, label, attrs) {
      var w = this.wrap(parent, name, label, attrs.required);
      var a = { id: w.id, name: name, type: attrs.type || 'text', 'aria-describedby': w.id + '-error' };
      Object.keys(attrs).forEach(function (k) {
        if (k === 'required') {
          a.required = '';
          a['aria-required'] = 'true';
        } else if (k !== 'type') {
          a[k] = attrs[k];
        }
      });
      var node = el('input', a);
      w.field.appendChild(node);
      w.field.appendChild(w.error);
      this.fields[name] = node;
    }

    select(parent, name, label, options, required, preset) {
      var w = this.wrap(parent, name, label, required);
      var a = { id: w.id, name: name, 'aria-describedby': w.id + '-error' };
      if (required) {
        a.required = '';
        a['aria-required'] = 'true';
      }
      var node = el('select', a);
      if (required) {
        node.appendChild(el('option', { value: '' }, '—'));
      }
      options.forEach(function (pair) {
        var option = el('option', { value: pair[0] }, pair[1]);
        if (pair[0] === preset) {
          option.selected = true;
        }
        node.appendChild(option);
      });
      w.field.appendChild(node);
      w.field.appendChild(w.error);
      this.fields[name] = node;
    }

    body() {
      var f = this.fields;
      var value = function (name) {
        var v = f[name].value.trim();
        return v === '' ? undefined : v;
      };
      var hours = value('employee.hours_per_week');
      var body = {
        employer: {
          company_name: value('employer.company_name') || '',
          kvk_number: value('employer.kvk_number'),
          contact_person: value('employer.contact_person') || '',
          email: value('employer.email') || '',
          phone: value('employer.phone')
        },
        employee: {
          reference: value('employee.reference') || '',
          hours_per_week: hours === undefined ? undefined : Number(hours),
          job_title: value('employee.job_title')
        },
        circumstances: {
          first_sick_day: value('circumstances.first_sick_day'),
          start_date: value('circumstances.start_date'),
          readiness: value('circumstances.readiness'),
          schooling: value('circumstances.schooling'),
          intensity: value('circumstances.intensity'),
          language: this.language
        },
        consent: f.consent.checked,
        website: f.website.value
      };
      return JSON.stringify(body);
    }

    clearErrors() {
      var self = this;
      Object.keys(this.errorNodes).forEach(function (name) {
        self.errorNodes[name].textContent = '';
        if (self.fields[name]) {
          self.fields[name].removeAttribute('aria-invalid');
        }
      });
      this.status.textContent = '';
    }

    message(error) {
      var known = this.t.errors[error.code];
      if (error.code === 'missing_field' && this.language === 'en') {
        return 'This field is required.';
      }
      return known || error.message || '';
    }

    showErrors(problem) {
      var self = this;
      var first = null;
      var general = [];
      (problem.errors || []).forEach(function (error) {
        var name = error.field || '';
        // `employer` missing as a whole, or a nested path: find the closest field we show.
        var node = self.errorNodes[name];
        if (!node) {
          general.push(self.message(error));
          return;
        }
        node.textContent = node.textContent ? node.textContent + ' ' + self.message(error) : self.message(error);
        if (self.fields[name]) {
          self.fields[name].setAttribute('aria-invalid', 'true');
          if (!first) {
            first = self.fields[name];
          }
        }
      });
      var summary = first ? this.t.fix_fields : (problem.detail || this.t.failed);
      this.status.textContent = general.length ? summary + ' ' + general.join(' ') : summary;
      if (first) {
        first.focus();
      }
    }

    showResult(receipt) {
      var t = this.t;
      var lang = this.language;
      var r = receipt.result;
      this.result.textContent = '';
      this.result.appendChild(el('h3', null, t.result_title + ': ' + t.result_tier(r.tier.name, r.tier.months)));
      var total = el('p', { class: 'total' });
      total.textContent = money(r.excl_vat, lang) + ' ' + t.excl + ' · ' + money(r.incl_vat, lang) + ' ' + t.incl;
      this.result.appendChild(total);
      var others = (r.alternatives || []).filter(function (a) { return !a.recommended; });
      if (others.length) {
        this.result.appendChild(el('p', null, t.alternatives + ':'));
        var list = el('ul');
        (r.alternatives || []).forEach(function (a) {
          var label = t.result_tier(a.name, a.months) + ': ' + money(a.excl_vat, lang) + ' ' + t.excl +
            ', ' + money(a.incl_vat, lang) + ' ' + t.incl + (a.recommended ? ' (' + t.recommended + ')' : '');
          list.appendChild(el('li', null, label));
        });
        this.result.appendChild(list);
      }
      // The server's message names the reference and says it is an indication.
      this.result.appendChild(el('p', null, receipt.message || (t.indicative_note + ' ' + t.reference_label + receipt.reference)));
    }

    send() {
      var self = this;
      this.clearErrors();
      this.result.textContent = '';
      this.button.disabled = true;
      this.button.textContent = this.t.sending;
      var headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
      // The bureau's public key (pk_…): the request lands with that bureau. Only a public
      // key belongs in a page; without one the request goes to the default bureau.
      var key = this.getAttribute('key');
      if (key && key.indexOf('pk_') === 0) {
        headers.Authorization = 'Bearer ' + key;
      }
      fetch(this.endpoint(), {
        method: 'POST',
        headers: headers,
        body: this.body(),
        credentials: 'omit'
      })
        .then(function (response) {
          return response.text().then(function (text) {
            var data = null;
            try {
              data = text ? JSON.parse(text) : null;
            } catch (e) {
              data = null;
            }
            if (response.status === 201 && data) {
              self.showResult(data);
              self.dispatchEvent(new CustomEvent('offerte-requested', { detail: { reference: data.reference }, bubbles: true }));
            } else if (response.status === 429) {
              var wait = response.headers.get('Retry-After') || '60';
              self.status.textContent = self.t.too_many(wait);
            } else if (data && data.errors && data.errors.length) {
              self.showErrors(data);
            } else {
              self.status.textContent = self.t.failed;
            }
          });
        })
        .catch(function () {
          self.status.textContent = self.t.failed;
        })
        .then(function () {
          self.button.disabled = false;
          self.button.textContent = self.t.submit;
        });
    }
  }

  window.customElements.define('offerte-form', OfferteForm);
})();
