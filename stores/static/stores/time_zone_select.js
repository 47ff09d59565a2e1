'use strict';
// The Retail Store time zone dropdown: type to search it (the admin's own select2).
{
    const $ = django.jQuery;
    $(function() {
        $('select.time-zone-select').select2({width: '22em'});
    });
}
