"""What staff (through the admin), commands and tasks do to integration cards.

Plain functions, one small module per job:

- ``cards``: a company's card per provider, and the overview of every provider;
- ``credentials``: add, update and remove a card's credentials (validated, encrypted);
- ``card_settings``: the settings each card shows (labels from the seed articles),
  their validation, and updating them with a diff in the history;
- ``connection``: connect (verify every credential, discover POS keys) and disconnect;
- ``pos_keys``: recording the POS keys a card has seen;
- ``store_mapping``: mapping POS keys to retail stores, and which keys are unmapped;
- ``rotation``: re-encrypting every credential under the newest key;
- ``history``: recording events, with secrets redacted.
"""
